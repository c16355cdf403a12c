/**
 * The ArcFace-style ONNX candidate of bench:embedders: `faceplugin-face-recognition-js`'s
 * model/fr_feature.onnx (112×112 RGB in [-1, 1], 5-point ArcFace alignment, 512-d output), run by
 * onnxruntime-web (WASM, no install script) or onnxruntime-node (native), whichever is installed
 * (ONNX_RUNTIME=web|node picks one). Neither is a project dependency: see bench/embedders.ts.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FaceEngine, Pt } from '../../server/embed/face-engine.ts';
import type { RgbImage } from '../../server/embed/types.ts';

type Session = { run(feeds: Record<string, unknown>): Promise<Record<string, { data: Float32Array }>>; inputNames: readonly string[]; outputNames: readonly string[] };
type Ort = {
	InferenceSession: { create(model: string | Uint8Array, options: object): Promise<Session> };
	Tensor: new (type: string, data: Float32Array, dims: number[]) => object;
	env: { wasm: { numThreads?: number; simd?: boolean; wasmPaths?: string } };
};

export type OnnxDescriber = {
	runtime: 'node' | 'web';
	/** The 512-d descriptor of the face in a crop (landmarks found by face-api); null when none. */
	describeCrop(crop: RgbImage): Promise<Float32Array | null>;
	/** The model alone on a prepared input (for the cost figures). */
	runOnce(): Promise<void>;
	/** Every runtime that loaded, each able to run the model alone (cost comparison of runtimes). */
	runtimes: Array<{ runtime: 'node' | 'web'; runOnce(): Promise<void> }>;
};

const require = createRequire(import.meta.url);

async function openRuntime(kind: 'node' | 'web', model: Uint8Array): Promise<{ ort: Ort; session: Session } | null> {
	let ort: Ort;
	try {
		ort = require(kind === 'node' ? 'onnxruntime-node' : 'onnxruntime-web') as Ort;
	} catch {
		return null;
	}
	if (kind === 'web') {
		ort.env.wasm.numThreads = 1;
		ort.env.wasm.wasmPaths = join(dirname(require.resolve('onnxruntime-web')), '/');
	}
	const session = await ort.InferenceSession.create(model, kind === 'node' ? { intraOpNumThreads: 1, interOpNumThreads: 1 } : { executionProviders: ['wasm'] });
	return { ort, session };
}

/** ArcFace's 112×112 template: eye centres, nose tip, mouth corners. */
const TEMPLATE = [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]] as const;
const avgOf = (pts: readonly Pt[], idx: number[]) => ({ x: idx.reduce((s, i) => s + pts[i]!.x, 0) / idx.length, y: idx.reduce((s, i) => s + pts[i]!.y, 0) / idx.length });
const fivePoints = (l: readonly Pt[]): Pt[] => [avgOf(l, [36, 37, 38, 39, 40, 41]), avgOf(l, [42, 43, 44, 45, 46, 47]), l[30]!, l[48]!, l[54]!];

/** Least-squares similarity transform (scale, rotation, shift) taking `src` onto the template. */
function similarity(src: Pt[]) {
	const n = src.length;
	let sx = 0, sy = 0, dx = 0, dy = 0;
	for (let i = 0; i < n; i++) (sx += src[i]!.x, sy += src[i]!.y, dx += TEMPLATE[i]![0], dy += TEMPLATE[i]![1]);
	(sx /= n, sy /= n, dx /= n, dy /= n);
	let a = 0, b = 0, ss = 0;
	for (let i = 0; i < n; i++) {
		const x = src[i]!.x - sx, y = src[i]!.y - sy, u = TEMPLATE[i]![0] - dx, v = TEMPLATE[i]![1] - dy;
		(a += x * u + y * v, b += x * v - y * u, ss += x * x + y * y);
	}
	const A = a / ss, B = b / ss;
	return { A, B, tx: dx - (A * sx - B * sy), ty: dy - (B * sx + A * sy) };
}

/** The 112×112 aligned face as a planar RGB tensor in [-1, 1] (bilinear, black outside). */
function warp(img: RgbImage, m: ReturnType<typeof similarity>): Float32Array {
	const size = 112, det = m.A * m.A + m.B * m.B, out = new Float32Array(3 * size * size);
	const px = (x: number, y: number, c: number) => (x < 0 || y < 0 || x >= img.width || y >= img.height ? 0 : img.data[(y * img.width + x) * 3 + c]!);
	for (let v = 0; v < size; v++) {
		for (let u = 0; u < size; u++) {
			const X = u - m.tx, Y = v - m.ty;
			const sxp = (m.A * X + m.B * Y) / det, syp = (-m.B * X + m.A * Y) / det;
			const x0 = Math.floor(sxp), y0 = Math.floor(syp), fx = sxp - x0, fy = syp - y0;
			for (let c = 0; c < 3; c++) {
				const val = (px(x0, y0, c) * (1 - fx) + px(x0 + 1, y0, c) * fx) * (1 - fy) + (px(x0, y0 + 1, c) * (1 - fx) + px(x0 + 1, y0 + 1, c) * fx) * fy;
				out[c * size * size + v * size + u] = (val - 127.5) / 128;
			}
		}
	}
	return out;
}

/** Null (and says why) when the model file or every runtime is missing. */
export async function loadOnnxDescriber(engine: FaceEngine): Promise<OnnxDescriber | null> {
	const file = process.env.FACEPLUGIN_MODEL ?? '';
	if (!existsSync(file)) {
		console.log('bench:embedders: FACEPLUGIN_MODEL not set or missing: the ONNX candidate is left out (see bench/embedders.ts)');
		return null;
	}
	const model = new Uint8Array(readFileSync(file));
	const wanted = process.env.ONNX_RUNTIME === 'node' ? ['node'] : process.env.ONNX_RUNTIME === 'web' ? ['web'] : ['web', 'node'];
	const opened: Array<{ runtime: 'node' | 'web'; ort: Ort; session: Session }> = [];
	for (const kind of wanted as Array<'node' | 'web'>) {
		const r = await openRuntime(kind, model);
		if (r) opened.push({ runtime: kind, ...r });
	}
	const main = opened[0];
	if (!main) {
		console.log('bench:embedders: neither onnxruntime-web nor onnxruntime-node is installed: the ONNX candidate is left out');
		return null;
	}
	const sample = new Float32Array(3 * 112 * 112).fill(0.1);
	const run = async (o: (typeof opened)[number], input: Float32Array) => {
		const out = await o.session.run({ [o.session.inputNames[0]!]: new o.ort.Tensor('float32', input, [1, 3, 112, 112]) });
		return Float32Array.from(out[o.session.outputNames[0]!]!.data);
	};
	return {
		runtime: main.runtime,
		async describeCrop(crop) {
			const landmarks = await engine.findLandmarks(crop, { x: 0, y: 0, width: crop.width, height: crop.height }, 4);
			if (!landmarks) return null;
			return run(main, warp(crop, similarity(fivePoints(landmarks))));
		},
		runOnce: async () => void (await run(main, sample)),
		runtimes: opened.map((o) => ({ runtime: o.runtime, runOnce: async () => void (await run(o, sample)) }))
	};
}
