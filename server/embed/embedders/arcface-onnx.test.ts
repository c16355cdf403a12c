// The opt-in ArcFace embedder. Its weights are not a project dependency, so the golden checks on
// real faces run only where ARCFACE_MODEL names the model (see the README); the start-up errors are
// checked everywhere.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { samplePhotoPath } from '../../../tests/helpers/faces.ts';
import { cropFace, decodeImage } from '../decode.ts';
import type { FaceEngine } from '../face-engine.ts';
import { ENROL_CROP, findFaces } from '../pipeline.ts';
import { euclidean } from '../../gallery/matcher.ts';
import { loadArcFaceEmbedder } from './arcface-onnx.ts';
import { loadCropDescriber } from './load.ts';
import { EMBEDDERS } from './registry.ts';

const unusedEngine = {} as FaceEngine;

describe('arcface-onnx start-up errors', () => {
	it('asks for ARCFACE_MODEL when it is not set', async () => {
		await expect(loadCropDescriber({ id: 'arcface-onnx', modelFile: null }, unusedEngine)).rejects.toThrow(/needs ARCFACE_MODEL/);
	});
	it('says what to install, or which file it cannot read', async () => {
		await expect(loadArcFaceEmbedder({ modelFile: '/nonexistent/model.onnx', engine: unusedEngine })).rejects.toThrow(
			/onnxruntime-node \(npm ci installs it\) does not load|ARCFACE_MODEL \/nonexistent\/model\.onnx cannot be read/
		);
	});
});

const modelFile = process.env.ARCFACE_MODEL ?? '';
let runtime: string | null = null;
for (const name of ['onnxruntime-node', 'onnxruntime-web']) {
	try {
		createRequire(import.meta.url).resolve(name);
		runtime = name;
		break;
	} catch {
		// not installed
	}
}
const golden = existsSync(modelFile) && runtime !== null;
if (!golden)
	console.log(
		`arcface-onnx golden checks skipped: ${existsSync(modelFile) ? 'no ONNX runtime installed' : 'ARCFACE_MODEL not set'} (see README: Embedding models and licences)`
	);

describe.skipIf(!golden)('arcface-onnx on the face-api sample photos', () => {
	let engine: FaceEngine | null = null;
	afterAll(() => engine?.dispose());

	it("puts one face's two crops within the threshold and different faces beyond it", { timeout: 120_000 }, async () => {
		const { loadFaceEngine } = await import('../face-engine.ts');
		engine = await loadFaceEngine({ modelDir: join('models', 'face-api') });
		const arcface = await loadArcFaceEmbedder({ modelFile, engine });
		expect(arcface.dim).toBe(EMBEDDERS['arcface-onnx'].dim);
		const photo = await decodeImage(readFileSync(samplePhotoPath(2)));
		const { boxes } = await findFaces(engine, photo);
		expect(boxes.length).toBeGreaterThanOrEqual(3);
		const vectors: Float32Array[][] = [];
		for (const { box } of boxes.slice(0, 3)) {
			const big = (await arcface.describeCrop(await cropFace(photo, box, ENROL_CROP)))!;
			const small = (await arcface.describeCrop(await cropFace(photo, box, { ...ENROL_CROP, maxSide: 96 })))!;
			expect(Math.hypot(...big)).toBeCloseTo(1, 4);
			vectors.push([big, small]);
		}
		const t = EMBEDDERS['arcface-onnx'].threshold;
		for (const [big, small] of vectors) expect(euclidean(big!, small!)).toBeLessThan(0.7 * t);
		for (let i = 0; i < vectors.length; i++) {
			for (let j = i + 1; j < vectors.length; j++) expect(euclidean(vectors[i]![0]!, vectors[j]![0]!)).toBeGreaterThan(t);
		}
		await arcface.dispose();
	});
});
