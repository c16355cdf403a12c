import sharp from 'sharp';
import { AppError } from '../../src/lib/protocol/errors.ts';

/** Reads an image's pixel size from its header without decoding it. */
export async function probeImage(bytes: Uint8Array): Promise<{ width: number; height: number }> {
	try {
		const { width, height } = await sharp(bytes).metadata();
		if (!width || !height) throw new Error('no size');
		return { width, height };
	} catch (err) {
		throw new AppError('bad-image', 'not a decodable image', { cause: err });
	}
}
