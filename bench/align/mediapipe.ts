/**
 * MediaPipe's BlazeFace, as the live page runs it, on still images: a throwaway page in Debian's
 * Chromium (IMAGE mode, CPU delegate, the model `npm ci` prepared) served from loopback. Gives
 * the boxes and the six keypoints (right eye, left eye, nose tip, mouth, right and left ear
 * tragion) in the image's pixels.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import { launchChromium } from '../../tests/helpers/browser.ts';

export type Point = { x: number; y: number };
export type MpFace = { box: { x: number; y: number; width: number; height: number }; score: number; keypoints: Point[] };

const require = createRequire(import.meta.url);
const TASKS_DIR = dirname(require.resolve('@mediapipe/tasks-vision'));
const MODEL = join('models', 'blaze_face_short_range.tflite');

const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
import { FaceDetector, FilesetResolver } from '/tasks/vision_bundle.mjs';
const fileset = await FilesetResolver.forVisionTasks('/tasks/wasm');
window.detector = await FaceDetector.createFromOptions(fileset, {
	baseOptions: { modelAssetPath: '/model.tflite', delegate: 'CPU' },
	runningMode: 'IMAGE', minDetectionConfidence: 0.5, minSuppressionThreshold: 0.3
});
window.ready = true;
</script>`;

const TYPES: Record<string, string> = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** Starts Chromium with the detector; `detect(png)` finds faces; `close()` ends both. */
export async function startMediapipe(): Promise<{ detect(image: Uint8Array): Promise<MpFace[]>; close(): Promise<void> }> {
	if (!existsSync(MODEL)) throw new Error(`${MODEL} missing: run npm ci`);
	const server = createServer((req, res) => {
		const path = (req.url ?? '/').split('?')[0]!;
		if (path === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
		const file = path === '/model.tflite' ? MODEL : path.startsWith('/tasks/') ? join(TASKS_DIR, normalize(path.slice(7)).replace(/^(\.\.[/\\])+/, '')) : null;
		if (!file || !existsSync(file)) return res.writeHead(404).end();
		res.writeHead(200, { 'content-type': TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream' });
		createReadStream(file).pipe(res);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const browser = await launchChromium();
	const page = await browser.newPage();
	await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
	await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 60_000 });
	return {
		detect: (image) =>
			page.evaluate(async (b64) => {
				const blob = await (await fetch(`data:image/png;base64,${b64}`)).blob();
				const bitmap = await createImageBitmap(blob);
				type Detection = {
					boundingBox?: { originX: number; originY: number; width: number; height: number };
					categories: Array<{ score: number }>;
					keypoints: Array<{ x: number; y: number }>;
				};
				const result = (window as unknown as { detector: { detect(b: ImageBitmap): { detections: Detection[] } } }).detector.detect(bitmap);
				const faces = result.detections.flatMap((d) =>
					d.boundingBox
						? [
								{
									box: { x: d.boundingBox.originX, y: d.boundingBox.originY, width: d.boundingBox.width, height: d.boundingBox.height },
									score: d.categories[0]?.score ?? 0,
									keypoints: d.keypoints.map((k) => ({ x: k.x * bitmap.width, y: k.y * bitmap.height }))
								}
							]
						: []
				);
				bitmap.close();
				return faces;
			}, Buffer.from(image).toString('base64')),
		async close() {
			await browser.close();
			await new Promise((resolve) => server.close(resolve));
		}
	};
}
