import { describe, expect, it } from 'vitest';
import { ApiError } from '../api.ts';
import { enrolPhotos, explainRefusal, type EnrolPorts } from './photo-enrol.ts';

const MAX = 1024 * 1024;
const photo = (name: string, { type = 'image/jpeg', size = 100 } = {}) => new File([new Uint8Array(size)], name, { type });

/**
 * A fake server: files named in `refuse` fail with that error; `conflicts` answer 409 (looks like
 * bob) and `mismatches` 409 (unlike carol's other faces) unless forced.
 */
function fakeServer({
	refuse = {},
	conflicts = [] as string[],
	mismatches = [] as string[]
}: { refuse?: Record<string, ApiError>; conflicts?: string[]; mismatches?: string[] } = {}) {
	const calls: string[] = [];
	const answer = (kind: string, images: Blob[], answered: string[]) => {
		const name = (images[0] as File).name;
		calls.push(`${kind} ${name}${answered.length ? ` force=${answered.join(',')}` : ''}`);
		const error = refuse[name];
		if (error) throw error;
		if (conflicts.includes(name) && !answered.includes('near')) {
			throw new ApiError('close to bob', 409, 'conflict', { near: { id: 'b', name: 'bob', distance: 0.3 } });
		}
		if (mismatches.includes(name) && !answered.includes('mismatch')) {
			const mismatch = { index: 0, distance: 0.8, others: 3, person: { id: 'c', name: 'carol' } };
			throw new ApiError('unlike carol', 409, 'conflict', { index: 0, mismatch });
		}
	};
	const ports: EnrolPorts = {
		enrolPerson: async (_name, images, { answered, source }) => {
			if (source !== 'photo') throw new Error(`source ${source}`);
			answer('create', images, answered);
			return { id: 'p1' };
		},
		addFaces: async (_id, images, { answered }) => answer('add', images, answered),
		confirmConflict: async (doubt, file, pictures) => {
			calls.push(
				`ask ${file} ${'near' in doubt ? doubt.near.name : `unlike ${doubt.mismatch.person?.name}`}${(pictures[0] as File).name === file ? '' : ' WRONG PICTURE'}`
			);
			return file.startsWith('yes');
		}
	};
	return { calls, ports };
}

describe('refusal messages', () => {
	it("keep the server's advice and limits, without its name for the image", () => {
		expect(explainRefusal(new ApiError('no face found in image 2: send a photo that shows the whole head', 422, 'no-face'))).toBe(
			'no face found: send a photo that shows the whole head'
		);
		expect(explainRefusal(new ApiError('the face in the image (40 pixels wide) is too small or unclear to enrol: send a closer photo', 422, 'no-face'))).toBe(
			'the face is too small or unclear: send a closer photo'
		);
		expect(explainRefusal(new ApiError('image 1: the image is 15000×15000 pixels (225 megapixels); the limit is 100 megapixels', 413, 'too-large'))).toBe(
			'too large for this server: the image is 15000×15000 pixels (225 megapixels); the limit is 100 megapixels'
		);
		expect(explainRefusal(new ApiError('upload too large', 413, 'too-large'))).toBe('too large for this server');
	});
});

describe('enrolment from photos', () => {
	it('creates the person with the first usable photo, then adds the rest, with one message per file', async () => {
		const { calls, ports } = fakeServer({
			refuse: {
				'blank.png': new ApiError('no face found in the image', 422, 'no-face'),
				'group.jpg': new ApiError('3 faces found in the image; send a photo of one face', 422, 'several-faces')
			}
		});
		const progress: string[] = [];
		const files = [
			photo('blank.png'),
			photo('notes.txt', { type: 'text/plain' }),
			photo('me.jpg'),
			photo('huge.jpg', { size: MAX + 1 }),
			photo('group.jpg'),
			photo('me2.webp', { type: 'image/webp' })
		];
		const result = await enrolPhotos({ name: 'alice', personId: null }, files, {
			...ports,
			maxUploadBytes: MAX,
			onProgress: (done, total, o) => progress.push(`${done}/${total} ${o.file}`)
		});
		expect(result.personId).toBe('p1');
		expect(calls).toEqual(['create blank.png', 'create me.jpg', 'add group.jpg', 'add me2.webp']);
		expect(result.outcomes).toEqual([
			{ file: 'blank.png', ok: false, message: 'no face found' },
			{ file: 'notes.txt', ok: false, message: 'not an image (text/plain): use JPEG, PNG or WebP' },
			{ file: 'me.jpg', ok: true, message: 'enrolled' },
			{ file: 'huge.jpg', ok: false, message: 'too large (1.0 MB; at most 1.0 MB)' },
			{ file: 'group.jpg', ok: false, message: '3 faces found: use a photo of one person' },
			{ file: 'me2.webp', ok: true, message: 'enrolled' }
		]);
		expect(progress).toEqual(files.map((f, i) => `${i + 1}/6 ${f.name}`));
	});

	it('creates nobody when no photo holds a usable face', async () => {
		const { calls, ports } = fakeServer({ refuse: { 'a.jpg': new ApiError('no face', 422, 'no-face') } });
		const result = await enrolPhotos({ name: 'x', personId: null }, [photo('a.jpg')], { ...ports, maxUploadBytes: MAX });
		expect(result).toEqual({ personId: null, outcomes: [{ file: 'a.jpg', ok: false, message: 'no face found' }] });
		expect(calls).toEqual(['create a.jpg']);
	});

	it('asks before enrolling a face that looks like someone else', async () => {
		const { calls, ports } = fakeServer({ conflicts: ['yes.jpg', 'no.jpg'] });
		const result = await enrolPhotos({ name: 'carol', personId: 'c' }, [photo('no.jpg'), photo('yes.jpg')], { ...ports, maxUploadBytes: MAX });
		expect(calls).toEqual(['add no.jpg', 'ask no.jpg bob', 'add yes.jpg', 'ask yes.jpg bob', 'add yes.jpg force=near']);
		expect(result.outcomes.map((o) => o.message)).toEqual(['skipped: looks like bob', 'enrolled']);
	});

	it("asks before enrolling a face unlike the person's other faces", async () => {
		const { calls, ports } = fakeServer({ mismatches: ['no.jpg', 'yes.jpg'] });
		const result = await enrolPhotos({ name: 'carol', personId: 'c' }, [photo('no.jpg'), photo('yes.jpg')], { ...ports, maxUploadBytes: MAX });
		expect(calls).toEqual(['add no.jpg', 'ask no.jpg unlike carol', 'add yes.jpg', 'ask yes.jpg unlike carol', 'add yes.jpg force=mismatch']);
		expect(result.outcomes.map((o) => o.message)).toEqual(['skipped: does not look like carol', 'enrolled']);
	});

	it('asks each question once: a face that is somebody else and unlike the person needs both answers', async () => {
		const both = 'yes-both.jpg';
		const { calls, ports } = fakeServer({ conflicts: [both], mismatches: [both] });
		const result = await enrolPhotos({ name: 'carol', personId: 'c' }, [photo(both)], { ...ports, maxUploadBytes: MAX });
		expect(calls).toEqual([`add ${both}`, `ask ${both} bob`, `add ${both} force=near`, `ask ${both} unlike carol`, `add ${both} force=near,mismatch`]);
		expect(result.outcomes).toEqual([{ file: both, ok: true, message: 'enrolled' }]);
	});

	it('stops at once when the server wants the admin token', async () => {
		const { ports } = fakeServer({ refuse: { 'a.jpg': new ApiError('needs the admin token', 401, 'unauthorized') } });
		await expect(enrolPhotos({ name: 'x', personId: null }, [photo('a.jpg'), photo('b.jpg')], { ...ports, maxUploadBytes: MAX })).rejects.toMatchObject({
			status: 401
		});
	});
});
