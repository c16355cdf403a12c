/** Fake-camera scenes shared by the browser tests. */
import { readFileSync } from 'node:fs';
import { cropFromPhoto, samplePhotoPath } from './faces.ts';
import { enrolPerson, findFaces } from './gallery.ts';
import { composeFrame, writeTempClip } from './y4m.ts';

/**
 * Enrols the largest face of face-api's sample1.jpg as `alice` on the server, and writes a
 * 640×480, 8 fps clip of her (drifting slowly, so the tracker has work to do) beside a face
 * nobody enrolled. Returns the clip's path and its folder (the caller removes it).
 */
export async function twoFaceScene(baseUrl: string, frameCount = 16): Promise<{ clip: string; dir: string }> {
	const photo = readFileSync(samplePhotoPath(1));
	const [known, stranger] = await findFaces(baseUrl, photo);
	if (!known || !stranger) throw new Error('sample1.jpg should hold at least two faces');
	await enrolPerson(baseUrl, 'alice', [await cropFromPhoto(photo, known, { margin: 0.35, quality: 92 })]);
	const left = await cropFromPhoto(photo, known, { margin: 0.5, quality: 95 });
	const right = await cropFromPhoto(photo, stranger, { margin: 0.5, quality: 95 });
	const frames: Buffer[] = [];
	for (let i = 0; i < frameCount; i++) {
		frames.push(
			await composeFrame(640, 480, [
				{ image: left, left: 20 + i * 2, top: 90, width: 280 },
				{ image: right, left: 350, top: 100, width: 260 }
			])
		);
	}
	return writeTempClip('two-faces.y4m', { width: 640, height: 480, fps: 8, frames });
}
