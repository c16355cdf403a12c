/**
 * What runs face-api's nets does not change what the server answers: the same faces enrolled on a
 * server whose workers run them on onnxruntime-node (the default once `npm ci` built the graphs)
 * and on one told FACE_NETS=tfjs export the same descriptors, and recognition gives the same
 * distances. This is why the embedder keeps its name (`face-api`) and a gallery moves between
 * the two without re-enrolment. Fixtures: face-api's demo photos.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolPerson, findFaces } from '../helpers/gallery.ts';
import { cropFromPhoto, samplePhotoPath } from '../helpers/faces.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

type Run = { backend: string; embeddings: number[][]; distances: number[]; labels: string[] };

// Two crops of one face are 0.28-0.53 apart and the match margin is ~0.04; bench:onnx measured
// ≤ 6.3e-6 between the runtimes on the whole crop path.
const SAME = 1e-4;
const photo = readFileSync(samplePhotoPath(1));
const probe = readFileSync(samplePhotoPath(3));
const crops: Buffer[] = [];

async function runOn(env: Record<string, string>): Promise<Run> {
	const server: TestServer = await startTestServer({ env });
	try {
		if (crops.length === 0) {
			const boxes = await findFaces(server.url, photo);
			for (const box of boxes.slice(0, 3)) crops.push(await cropFromPhoto(photo, box, { margin: 0.5 }));
		}
		for (const [i, crop] of crops.entries()) await enrolPerson(server.url, `person ${i}`, [crop]);
		const health = (await (await server.api('/healthz')).json()) as { backend: string };
		const exported = (await (await server.api('/api/export')).json()) as { people: Array<{ name: string; faces: Array<{ embedding: number[] }> }> };
		const recognized = (await (
			await server.api('/api/recognize', { method: 'POST', body: new Uint8Array(probe), headers: { 'content-type': 'image/jpeg' } })
		).json()) as {
			faces: Array<{ distance: number; label: string }>;
		};
		return {
			backend: health.backend,
			embeddings: exported.people.sort((a, b) => a.name.localeCompare(b.name)).flatMap((p) => p.faces.map((f) => f.embedding)),
			distances: recognized.faces.map((f) => f.distance),
			labels: recognized.faces.map((f) => f.label)
		};
	} finally {
		await server.stop();
	}
}

let tfjs: Run;
let onnx: Run;

beforeAll(async () => {
	// One server at a time: each runs two embed workers on this 2-core machine.
	tfjs = await runOn({ FACE_NETS: 'tfjs' });
	onnx = await runOn({});
});

describe('face-api nets on onnxruntime-node against tfjs, through the whole server', () => {
	it('runs them on onnxruntime-node by default, on tfjs when told', () => {
		expect(onnx.backend).toBe('onnxruntime-node');
		expect(tfjs.backend).toMatch(/^(wasm|tensorflow)$/);
	});

	it('enrols the same descriptors', () => {
		expect(onnx.embeddings.length).toBe(3);
		expect(tfjs.embeddings.length).toBe(3);
		for (const [i, a] of tfjs.embeddings.entries()) {
			const b = onnx.embeddings[i]!;
			expect(b.length).toBe(128);
			expect(Math.max(...a.map((v, k) => Math.abs(v - b[k]!)))).toBeLessThan(SAME);
		}
	});

	it('recognizes with the same distances and labels', () => {
		expect(tfjs.distances.length).toBeGreaterThan(0);
		expect(onnx.labels).toEqual(tfjs.labels);
		for (const [i, d] of tfjs.distances.entries()) expect(Math.abs(d - onnx.distances[i]!)).toBeLessThan(SAME);
	});
});

afterAll(() => {
	crops.length = 0;
});
