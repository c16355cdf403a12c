/** The optional face thumbnail kept beside an enrolled embedding (only while the gallery keeps them). */
import sharp from 'sharp';
import type { FaceBox } from '../../embed/types.ts';

/** Side of the square face thumbnail kept when the gallery keeps thumbnails, px. */
export const THUMBNAIL_SIDE_PX = 96;

/** A small square JPEG of the face in `box` (pixels of the photo after EXIF rotation, `width`×`height`). */
export async function makeThumbnail(photo: Uint8Array, size: { width: number; height: number }, box: FaceBox): Promise<Uint8Array> {
	const side = Math.max(box.width, box.height) * 1.3;
	const cx = box.x + box.width / 2;
	const cy = box.y + box.height / 2;
	const left = Math.max(0, Math.floor(cx - side / 2));
	const top = Math.max(0, Math.floor(cy - side / 2));
	const width = Math.max(1, Math.min(size.width - left, Math.ceil(side)));
	const height = Math.max(1, Math.min(size.height - top, Math.ceil(side)));
	const jpeg = await sharp(photo)
		.rotate()
		.extract({ left, top, width, height })
		.resize({ width: THUMBNAIL_SIDE_PX, height: THUMBNAIL_SIDE_PX, fit: 'cover' })
		.jpeg({ quality: 70 })
		.toBuffer();
	return new Uint8Array(jpeg);
}

/** The kept thumbnail of a live face crop (already a face, framed by the browser): square, JPEG. */
export async function thumbnailOfCrop(crop: Uint8Array): Promise<Uint8Array> {
	const jpeg = await sharp(crop).resize({ width: THUMBNAIL_SIDE_PX, height: THUMBNAIL_SIDE_PX, fit: 'cover' }).jpeg({ quality: 70 }).toBuffer();
	return new Uint8Array(jpeg);
}
