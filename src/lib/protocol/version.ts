/**
 * Wire protocol version. Bump on any change a peer of the previous version would misread;
 * both sides refuse a frame of another version with `unsupported-version`.
 */
export const PROTOCOL_VERSION = 1;
