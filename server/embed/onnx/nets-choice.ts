// FACE_NETS: what runs face-api's landmark and recognition nets in the embed workers.
//   auto (default)  onnxruntime-node when it and the graphs load, else tfjs with a warning
//   tfjs            always tfjs (the before/after knob of bench:load, and a way out should the
//                   native runtime misbehave on some machine)
// config.ts validates it at start (a typo stops the server there). The workers read it here, from
// the environment they inherit: the pool's workerData has no field for it yet.
// TODO: pass it in workerData from Config once server/embed/pool.ts and worker.ts are free to change.
export const FACE_NETS = ['auto', 'tfjs'] as const;
export type FaceNets = (typeof FACE_NETS)[number];

/** FACE_NETS from `env`; anything else than a known value is 'auto' (config.ts rejects it first). */
export function faceNetsFromEnv(env: NodeJS.ProcessEnv = process.env): FaceNets {
	const value = env.FACE_NETS?.trim() || 'auto';
	return (FACE_NETS as readonly string[]).includes(value) ? (value as FaceNets) : 'auto';
}
