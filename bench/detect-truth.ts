/**
 * How bench/detect-truth.json was made (`npx tsx bench/detect-truth.ts > proposals.json`): face-api's
 * SSD MobileNet v1 (the server's enrolment detector) on each group photo of ../shared/data at full
 * resolution, whole and in overlapping tiles (SSD resizes its input to 512 px, so faces under
 * ~60 px in a 2000 px photo are only seen in tiles), merged by IoU. The proposals were then checked
 * by eye on the photos with the boxes drawn, wrong boxes removed, missed faces added by hand and
 * faces that no detector should be asked for (back of the head, cut by the frame edge, hidden by
 * more than half) marked `optional`. Run again only to rebuild the file from scratch.
 */
import sharp from 'sharp';
import { loadFaceEngine } from '../server/embed/face-engine.ts';
import { DATA_DIR, hasSharedData } from './data.ts';
import { GROUP_PHOTOS } from './detect-scenes.ts';

type Box = { x: number; y: number; width: number; height: number };

function iou(a: Box, b: Box): number {
	const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
	const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
	if (w <= 0 || h <= 0) return 0;
	const inter = w * h;
	return inter / (a.width * a.height + b.width * b.height - inter);
}

async function main(): Promise<void> {
	if (!hasSharedData()) {
		console.error(`detect-truth: ${DATA_DIR} is absent; nothing to do`);
		return;
	}
	const engine = await loadFaceEngine({ minConfidence: 0.3, maxFaces: 100 });
	const out: Record<string, { width: number; height: number; faces: Array<Box & { score: number }> }> = {};
	for (const file of GROUP_PHOTOS) {
		const { data, info } = await sharp(`${DATA_DIR}/${file}`).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
		const found: Array<Box & { score: number }> = [];
		const tile = Math.round(Math.min(info.width, info.height) / 2);
		const step = Math.round(tile / 2);
		const regions: Box[] = [{ x: 0, y: 0, width: info.width, height: info.height }];
		for (let y = 0; y + tile <= info.height + step - 1; y += step) {
			for (let x = 0; x + tile <= info.width + step - 1; x += step) {
				regions.push({ x: Math.min(x, info.width - tile), y: Math.min(y, info.height - tile), width: tile, height: tile });
			}
		}
		for (const r of regions) {
			const { data: part } = await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
				.extract({ left: r.x, top: r.y, width: r.width, height: r.height })
				.raw()
				.toBuffer({ resolveWithObject: true });
			const faces = await engine.detectFaces({ data: new Uint8Array(part), width: r.width, height: r.height });
			for (const f of faces) found.push({ x: f.box.x + r.x, y: f.box.y + r.y, width: f.box.width, height: f.box.height, score: f.score });
		}
		found.sort((a, b) => b.score - a.score);
		const kept: Array<Box & { score: number }> = [];
		for (const f of found) if (!kept.some((k) => iou(k, f) > 0.3)) kept.push(f);
		out[file] = {
			width: info.width,
			height: info.height,
			faces: kept.map((f) => ({
				x: Math.round(f.x),
				y: Math.round(f.y),
				width: Math.round(f.width),
				height: Math.round(f.height),
				score: Number(f.score.toFixed(2))
			}))
		};
		console.error(`${file}: ${kept.length} faces`);
	}
	engine.dispose();
	console.log(JSON.stringify(out, null, '\t'));
}

await main();
