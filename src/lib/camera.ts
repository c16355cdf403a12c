/** The only getUserMedia caller. Turns the browser's camera errors into messages people can act on. */
export type Facing = 'user' | 'environment';

export class CameraError extends Error {
	constructor(
		message: string,
		readonly reason: 'insecure' | 'unsupported' | 'denied' | 'missing' | 'busy' | 'other'
	) {
		super(message);
		this.name = 'CameraError';
	}
}

function explain(err: unknown): CameraError {
	const name = (err as { name?: string } | null)?.name ?? '';
	if (name === 'NotAllowedError' || name === 'SecurityError') {
		return new CameraError('Camera permission was denied. Allow the camera for this site and reload.', 'denied');
	}
	if (name === 'NotFoundError' || name === 'OverconstrainedError') {
		return new CameraError('No camera was found on this device.', 'missing');
	}
	if (name === 'NotReadableError' || name === 'AbortError') {
		return new CameraError('The camera is in use by another app, or failed to start.', 'busy');
	}
	return new CameraError(`The camera could not start (${name || String(err)}).`, 'other');
}

/** Opens the camera at up to 640×480, preferring `facing`. The caller stops the stream's tracks. */
export async function openCamera(facing: Facing): Promise<MediaStream> {
	if (!window.isSecureContext) {
		throw new CameraError('The camera needs a secure page: open this app over https:// (or on localhost).', 'insecure');
	}
	if (!navigator.mediaDevices?.getUserMedia) {
		throw new CameraError('This browser cannot use a camera.', 'unsupported');
	}
	try {
		return await navigator.mediaDevices.getUserMedia({
			audio: false,
			video: { facingMode: { ideal: facing }, width: { ideal: 640 }, height: { ideal: 480 } }
		});
	} catch (err) {
		throw explain(err);
	}
}

export function stopCamera(stream: MediaStream | null): void {
	stream?.getTracks().forEach((t) => t.stop());
}
