/**
 * The two hard dev clips, shot by shot. Both have the same kinds of trouble, in the same order:
 * a cut between two enrolled people with the face in the same place, a cut to a stranger, a fast
 * pan with shake and motion blur, a second face entering, a zoom in from far, turned heads, heavy
 * shake. Photos used to enrol somebody never appear in a clip.
 *
 * - `tv` (faces/: 8 TV characters, enrolled from their tight crops; shots from the group photos):
 *   the clip the live page's numbers were tuned on.
 * - `real` (faces-real/: look-alike young women and one man, enrolled from other photos of them):
 *   reported on, never tuned on.
 *
 * People are pointed at by a point inside their face in the photo's own pixels (by eye); the
 * server's detector supplies the box. Faces the detector finds that are not named here are
 * strangers in the truth (a name on them is a wrong name).
 */
export type PersonSpec = { at: readonly [number, number]; identity: string | null; frontal?: boolean };
export type PhotoSpec = { file: string; people: PersonSpec[] };
export type FramingSpec = { photo: number; person: number; size: number; at?: readonly [number, number] };
export type ShotSpec = { seconds: number; photos: PhotoSpec[]; from: FramingSpec; to?: FramingSpec; shake?: number; note: string };
export type ClipScript = {
	name: string;
	fps: number;
	/** identity → photos to enrol (relative to the data folder); `pad`: tight crops the server's detector needs padded. */
	enrol: Record<string, string[]>;
	padEnrolment: boolean;
	shots: ShotSpec[];
	note: string;
};

const one = (file: string, identity: string | null, at: readonly [number, number], frontal = true): PhotoSpec => ({
	file,
	people: [{ at, identity, frontal }]
});

const real = {
	emotions4: one('faces-real/emotions_a/4.jpg', 'emotions_a', [490, 400]),
	emotions6: one('faces-real/emotions_a/6.jpg', 'emotions_a', [440, 400]),
	emotions8: one('faces-real/emotions_a/8.jpg', 'emotions_a', [520, 460]),
	emotions2: one('faces-real/emotions_a/2.jpg', 'emotions_a', [560, 510], false),
	emotions7: one('faces-real/emotions_a/7.jpg', 'emotions_a', [525, 460]),
	teen2: one('faces-real/teen_a/2.jpg', 'teen_a', [420, 370]),
	teen3: one('faces-real/teen_a/3.jpg', 'teen_a', [365, 560], false),
	vlado2: one('faces-real/vlado/2.jpg', 'vlado', [475, 135]),
	stranger6: one('faces-real/_strangers/stock-teen-6.jpg', null, [460, 630]),
	stranger7: one('faces-real/_strangers/stock-teen-7.jpg', null, [405, 380]),
	stranger8: one('faces-real/_strangers/stock-teen-8.jpg', null, [630, 380])
};

export const REAL_CLIP: ClipScript = {
	name: 'real',
	fps: 15,
	note: 'faces-real: emotions_a, teen_a and vlado enrolled from photos not in the clip; strangers from _strangers',
	enrol: {
		emotions_a: ['faces-real/emotions_a/1.jpg', 'faces-real/emotions_a/3.jpg'],
		teen_a: ['faces-real/teen_a/1.jpg', 'faces-real/teen_a/4.jpg'],
		vlado: ['faces-real/vlado/1.jpg', 'faces-real/vlado/3.jpg']
	},
	padEnrolment: false,
	shots: [
		{
			seconds: 2.5,
			photos: [real.emotions4],
			from: { photo: 0, person: 0, size: 150 },
			to: { photo: 0, person: 0, size: 210 },
			shake: 4,
			note: 'frontal close-up, slow zoom in'
		},
		{ seconds: 2.5, photos: [real.teen2], from: { photo: 0, person: 0, size: 170 }, shake: 6, note: 'cut to another enrolled person, face in the same place' },
		{ seconds: 2, photos: [real.stranger6], from: { photo: 0, person: 0, size: 180 }, shake: 3, note: 'cut to a stranger' },
		{
			seconds: 2.5,
			photos: [real.emotions6],
			from: { photo: 0, person: 0, size: 170, at: [0.25, 0.45] },
			to: { photo: 0, person: 0, size: 170, at: [0.75, 0.5] },
			shake: 10,
			note: 'fast pan with shake and motion blur'
		},
		{
			seconds: 3.5,
			photos: [real.emotions8, real.stranger7],
			from: { photo: 0, person: 0, size: 200 },
			to: { photo: 1, person: 0, size: 85, at: [0.85, 0.45] },
			note: 'pan and zoom out: a second face (a stranger) enters'
		},
		{ seconds: 2, photos: [real.teen3], from: { photo: 0, person: 0, size: 90 }, to: { photo: 0, person: 0, size: 200 }, note: 'turned head, zoom in' },
		{
			seconds: 3,
			photos: [real.vlado2],
			from: { photo: 0, person: 0, size: 40 },
			to: { photo: 0, person: 0, size: 150 },
			note: 'zoom in from far on a small face'
		},
		{ seconds: 1.5, photos: [real.emotions2], from: { photo: 0, person: 0, size: 180 }, note: 'turned head' },
		{ seconds: 2, photos: [real.emotions7], from: { photo: 0, person: 0, size: 190 }, shake: 14, note: 'side glance, heavy shake' },
		{ seconds: 2, photos: [real.stranger8], from: { photo: 0, person: 0, size: 160 }, to: { photo: 0, person: 0, size: 120 }, note: 'stranger, zoom out' }
	]
};

const bbt5: PhotoSpec = {
	file: 'faces/_group/bbt5.jpg',
	people: [
		{ at: [148, 210], identity: 'raj' },
		{ at: [257, 79], identity: 'penny' },
		{ at: [480, 202], identity: 'sheldon' },
		{ at: [613, 92], identity: 'leonard' },
		{ at: [761, 153], identity: 'howard' }
	]
};
const bbt3: PhotoSpec = {
	file: 'faces/_group/bbt3.jpg',
	people: [
		{ at: [64, 58], identity: 'sheldon' },
		{ at: [180, 117], identity: 'howard' },
		{ at: [282, 130], identity: 'penny' },
		{ at: [393, 138], identity: 'raj' },
		{ at: [518, 130], identity: 'leonard' }
	]
};
const bbt4: PhotoSpec = {
	file: 'faces/_group/bbt4.jpg',
	people: [
		{ at: [124, 80], identity: 'amy' },
		{ at: [275, 96], identity: 'raj' },
		{ at: [620, 120], identity: 'bernadette' },
		{ at: [100, 320], identity: 'leonard' },
		{ at: [298, 285], identity: 'penny' },
		{ at: [511, 230], identity: 'sheldon' }
	]
};
const bbt2: PhotoSpec = {
	file: 'faces/_group/bbt2.jpg',
	people: [
		{ at: [133, 169], identity: 'leonard', frontal: false },
		{ at: [417, 169], identity: 'sheldon', frontal: false },
		{ at: [24, 121], identity: null }
	]
};
const bbt1: PhotoSpec = {
	file: 'faces/_group/bbt1.jpg',
	people: [
		{ at: [258, 187], identity: 'raj' },
		{ at: [517, 201], identity: 'leonard' },
		{ at: [775, 184], identity: 'howard' },
		{ at: [1051, 142], identity: 'sheldon' }
	]
};
const tvStranger = (name: string, at: readonly [number, number]) => one(`faces/_strangers/${name}.jpg`, null, at);
const TV_IDENTITIES = ['amy', 'bernadette', 'howard', 'leonard', 'penny', 'raj', 'sheldon', 'stuart'];

export const TV_CLIP: ClipScript = {
	name: 'tv',
	fps: 15,
	note: 'faces/: the 8 TV characters enrolled from their 5 tight crops each; shots from the group photos and the strangers',
	enrol: Object.fromEntries(TV_IDENTITIES.map((id) => [id, [1, 2, 3, 4, 5].map((n) => `faces/${id}/${n}.png`)])),
	padEnrolment: true,
	shots: [
		{
			seconds: 2.5,
			photos: [bbt5],
			from: { photo: 0, person: 2, size: 160 },
			to: { photo: 0, person: 2, size: 200 },
			shake: 4,
			note: 'close-up, slow zoom in'
		},
		{ seconds: 2.5, photos: [bbt3], from: { photo: 0, person: 2, size: 150 }, shake: 6, note: 'cut to another enrolled person, face in the same place' },
		{ seconds: 2, photos: [tvStranger('happy', [328, 132])], from: { photo: 0, person: 0, size: 170 }, shake: 3, note: 'cut to a stranger' },
		{
			seconds: 2.5,
			photos: [bbt4],
			from: { photo: 0, person: 3, size: 140, at: [0.25, 0.5] },
			to: { photo: 0, person: 4, size: 140, at: [0.75, 0.5] },
			shake: 10,
			note: 'fast pan with shake and motion blur'
		},
		{
			seconds: 3.5,
			photos: [bbt2, tvStranger('neutral', [306, 136])],
			from: { photo: 0, person: 1, size: 170 },
			to: { photo: 1, person: 0, size: 90, at: [0.85, 0.45] },
			note: 'pan and zoom out: a second face (a stranger) enters'
		},
		{ seconds: 2, photos: [bbt1], from: { photo: 0, person: 2, size: 60 }, to: { photo: 0, person: 2, size: 170 }, note: 'zoom in from far' },
		{
			seconds: 3,
			photos: [bbt5],
			from: { photo: 0, person: 0, size: 180 },
			to: { photo: 0, person: 0, size: 70, at: [0.2, 0.6] },
			note: 'zoom out to the whole group'
		},
		{ seconds: 1.5, photos: [tvStranger('surprised', [251, 167])], from: { photo: 0, person: 0, size: 180 }, note: 'stranger' },
		{ seconds: 2, photos: [bbt4], from: { photo: 0, person: 0, size: 170 }, shake: 14, note: 'heavy shake' },
		{ seconds: 2, photos: [bbt3], from: { photo: 0, person: 4, size: 150 }, to: { photo: 0, person: 4, size: 110 }, note: 'zoom out' }
	]
};

export const CLIP_SCRIPTS = { tv: TV_CLIP, real: REAL_CLIP } as const;
