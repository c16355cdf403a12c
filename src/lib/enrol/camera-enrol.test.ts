import { describe, expect, it } from 'vitest';
import { ApiError, type Doubt } from '../api.ts';
import { enrolFromCamera } from './camera-enrol.ts';
import type { EnrolPorts } from './photo-enrol.ts';

const pictures = [new Blob(['a']), new Blob(['b']), new Blob(['c'])];
const near: Doubt = { near: { id: 'b', name: 'Bob', distance: 0.31 } };
const mismatch: Doubt = { mismatch: { index: 2, distance: 0.7, others: 2 } };

/** A fake server answering each send from `answers` in turn (an error, or success); records the calls. */
function fake(answers: Array<Error | null>, userSays: boolean[] = []) {
	const calls: string[] = [];
	const next = (what: string, images: Blob[], answered: string[], source: string) => {
		calls.push(`${what} ${images.length} ${source}${answered.length ? ` force=${answered.join(',')}` : ''}`);
		const answer = answers.shift();
		if (answer) throw answer;
	};
	const ports: EnrolPorts = {
		enrolPerson: async (name, images, { answered, source }) => (next(`create ${name}`, images, answered, source), { id: 'new' }),
		addFaces: async (id, images, { answered, source }) => next(`add ${id}`, images, answered, source),
		confirmConflict: async (doubt, what, shown) => {
			calls.push(`ask ${'near' in doubt ? doubt.near.name : `picture ${doubt.mismatch.index + 1}`} (${what}, ${shown.length} pictures)`);
			return userSays.shift() ?? false;
		}
	};
	return { ports, calls };
}

const conflict = (doubt: Doubt) => new ApiError('doubt', 409, 'conflict', doubt);

describe('camera enrolment', () => {
	it('sends every picture in one request, as a new person or to someone enrolled', async () => {
		const a = fake([null]);
		expect(await enrolFromCamera({ name: 'Ann', personId: null }, pictures, a.ports)).toEqual({ ok: true, text: 'Ann: 3 camera pictures enrolled.' });
		expect(a.calls).toEqual(['create Ann 3 camera']);
		const b = fake([null]);
		await enrolFromCamera({ name: 'Ann', personId: 'p9' }, pictures, b.ports);
		expect(b.calls).toEqual(['add p9 3 camera']);
	});

	it('asks about each doubt with the pictures, and resends with the answers given', async () => {
		const { ports, calls } = fake([conflict(near), conflict(mismatch), null], [true, true]);
		expect((await enrolFromCamera({ name: 'Ann', personId: null }, pictures, ports)).ok).toBe(true);
		expect(calls).toEqual([
			'create Ann 3 camera',
			'ask Bob (the camera pictures, 3 pictures)',
			'create Ann 3 camera force=near',
			'ask picture 3 (the camera pictures, 3 pictures)',
			'create Ann 3 camera force=near,mismatch'
		]);
	});

	it('stores nothing when the user declines, and says why', async () => {
		const { ports } = fake([conflict(mismatch)], [false]);
		expect(await enrolFromCamera({ name: 'Ann', personId: null }, pictures, ports)).toEqual({
			ok: false,
			text: 'Not enrolled: picture 3 may not be the same person as the others. Nothing was stored.'
		});
	});

	it('turns refusals into a message naming the picture, and passes a 401 on', async () => {
		const { ports } = fake([new ApiError('no face found in image 2', 422, 'no-face', { index: 1 })]);
		expect(await enrolFromCamera({ name: 'Ann', personId: null }, pictures, ports)).toEqual({
			ok: false,
			text: 'Not enrolled (picture 2: no face found). Nothing was stored; try again.'
		});
		const denied = fake([new ApiError('token', 401, 'unauthorized')]);
		await expect(enrolFromCamera({ name: 'Ann', personId: null }, pictures, denied.ports)).rejects.toMatchObject({ status: 401 });
	});
});
