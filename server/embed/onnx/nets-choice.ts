// FACE_NETS: what runs face-api's nets (SSD, 68 landmarks, recognition) in the embed workers.
//   auto (default)  onnxruntime-node when it and the graphs load, else tfjs with a warning
//   tfjs            always tfjs (the before/after knob of bench:load, and a way out should the
//                   native runtime misbehave on some machine)
// config.ts reads and validates it; the pool hands it to each worker (workerData).
export const FACE_NETS = ['auto', 'tfjs'] as const;
export type FaceNets = (typeof FACE_NETS)[number];
