/**
 * Trials for bench:accuracy, built inside one side of an identity-disjoint split: who is enrolled,
 * which faces are probes, and what the right answer is. Pure: faces in, trials out.
 *
 * Within a side (a set of identities, strangers and group shots of each source):
 *  - L, all photos enrolled: genuine = each identity photo against the gallery without it;
 *    impostors = the side's strangers and unlabelled group faces, and each identity's photos
 *    with that identity removed from the gallery (leave-identity-out: the look-alike case);
 *  - O, one photo enrolled per person (each photo in turn): genuine = the person's other photos;
 *    impostors as in L, against the one-photo gallery;
 *  - G, group shots against the side's full gallery: faces of the side's people are genuine,
 *    unlabelled faces impostors (faces of the other side's people are left out).
 * Probes are described two ways: 'photo' (the enrolment path, as /api/recognize does) and 'live'
 * (a browser crop); the gallery always holds enrolment-path vectors.
 */
import { rng } from '../rng.ts';
import type { BenchFace, Source, Variant } from './embed.ts';

export type Trial = {
	scenario: 'L' | 'O' | 'G';
	source: Source;
	probe: 'photo' | 'live';
	/** The right name, or null for an impostor. */
	truth: string | null;
	gallery: Map<string, Float32Array[]>;
	query: Float32Array;
};

export type Side = { identities: Set<string>; strangers: BenchFace[]; groups: BenchFace[]; photos: BenchFace[] };

const key = (f: BenchFace) => `${f.source}:${f.identity}`;

function galleryOf(photos: readonly BenchFace[], variant: Variant, keep: (f: BenchFace) => boolean): Map<string, Float32Array[]> {
	const g = new Map<string, Float32Array[]>();
	for (const f of photos) {
		const v = f.v[variant];
		if (v && keep(f)) g.set(key(f), [...(g.get(key(f)) ?? []), v]);
	}
	return g;
}

/** The vectors probes are described by: 'photo' defaults to the gallery's variant, 'live' to 'live'. */
export type ProbeVariants = { photo?: Variant; live?: Variant };

/** Every trial of one side, for one source, with the gallery built from `enrol` vectors. */
export function sideTrials(side: Side, source: Source, enrol: Variant, { photo = enrol, live = 'live' }: ProbeVariants = {}): Trial[] {
	const photos = side.photos.filter((f) => f.source === source && f.v[enrol]);
	const strangers = [...side.strangers, ...side.groups.filter((g) => g.identity === null)].filter((f) => f.source === source);
	const people = [...new Set(photos.map(key))];
	const out: Trial[] = [];
	const probes = (f: BenchFace): Array<['photo' | 'live', Float32Array]> => {
		const list: Array<['photo' | 'live', Float32Array]> = [];
		const [p, l] = [f.v[photo], f.v[live]];
		if (f.v[enrol] && p) list.push(['photo', p]);
		if (l) list.push(['live', l]);
		return list;
	};
	if (people.length === 0) return out;
	const full = galleryOf(photos, enrol, () => true);
	const withoutPerson = new Map(people.map((p) => [p, galleryOf(photos, enrol, (f) => key(f) !== p)]));
	// L
	for (const f of photos) {
		const g = galleryOf(photos, enrol, (x) => x !== f);
		for (const [probe, query] of probes(f)) {
			if (g.has(key(f))) out.push({ scenario: 'L', source, probe, truth: key(f), gallery: g, query });
			if (withoutPerson.get(key(f))!.size > 0) out.push({ scenario: 'L', source, probe, truth: null, gallery: withoutPerson.get(key(f))!, query });
		}
	}
	for (const s of strangers) for (const [probe, query] of probes(s)) out.push({ scenario: 'L', source, probe, truth: null, gallery: full, query });
	// O: rotation r enrols each person's r-th photo.
	const byPerson = new Map(people.map((p) => [p, photos.filter((f) => key(f) === p)]));
	const rotations = Math.max(...[...byPerson.values()].map((fs) => fs.length));
	for (let r = 0; r < rotations; r++) {
		const enrolled = new Set([...byPerson.values()].map((fs) => fs[r % fs.length]!));
		const g = galleryOf([...enrolled], enrol, () => true);
		for (const f of photos) {
			if (enrolled.has(f)) continue;
			const without = new Map([...g].filter(([p]) => p !== key(f)));
			for (const [probe, query] of probes(f)) {
				out.push({ scenario: 'O', source, probe, truth: key(f), gallery: g, query });
				if (without.size > 0) out.push({ scenario: 'O', source, probe, truth: null, gallery: without, query });
			}
		}
		for (const s of strangers) for (const [probe, query] of probes(s)) out.push({ scenario: 'O', source, probe, truth: null, gallery: g, query });
	}
	// G
	for (const f of side.groups) {
		if (f.source !== source || (f.identity !== null && !side.identities.has(key(f)))) continue;
		for (const [probe, query] of probes(f)) out.push({ scenario: 'G', source, probe, truth: f.identity === null ? null : key(f), gallery: full, query });
	}
	return out;
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
	const out = [...items];
	for (let i = out.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[out[i], out[j]] = [out[j]!, out[i]!];
	}
	return out;
}

/** Every face of `faces` on one side: for threshold-free rankings over all the data. */
export function wholeSide(faces: readonly BenchFace[]): Side {
	const whole: Side = { identities: new Set(), strangers: [], groups: [], photos: [] };
	for (const f of faces) {
		if (f.kind === 'identity') {
			whole.photos.push(f);
			whole.identities.add(key(f));
		}
		if (f.kind === 'stranger') whole.strangers.push(f);
		if (f.kind === 'group') whole.groups.push(f);
	}
	return whole;
}

/**
 * An identity-disjoint split of every source: half the identities (the odd one to a random side)
 * and half the stranger photos to each side; group faces go with their photo's side, and a
 * labelled group face with its identity. A stranger photo's faces stay together.
 */
export function split(faces: readonly BenchFace[], seed: number): [Side, Side] {
	const random = rng(seed);
	const sides: [Side, Side] = [0, 1].map(() => ({ identities: new Set<string>(), strangers: [], groups: [], photos: [] })) as unknown as [Side, Side];
	for (const source of ['faces', 'faces-real'] as const) {
		const ids = shuffle([...new Set(faces.filter((f) => f.source === source && f.kind === 'identity').map(key))], random);
		const cut = ids.length % 2 === 0 ? ids.length / 2 : Math.floor(ids.length / 2) + (random() < 0.5 ? 1 : 0);
		ids.forEach((id, i) => sides[i < cut ? 0 : 1].identities.add(id));
		for (const kind of ['stranger', 'group'] as const) {
			const files = shuffle([...new Set(faces.filter((f) => f.source === source && f.kind === kind).map((f) => f.file))], random);
			const side = new Map(files.map((file, i) => [file, i % 2]));
			for (const f of faces.filter((x) => x.source === source && x.kind === kind)) {
				const s = (f.identity !== null ? (sides[0].identities.has(key(f)) ? 0 : 1) : side.get(f.file)!) as 0 | 1;
				(kind === 'stranger' ? sides[s].strangers : sides[s].groups).push(f);
			}
		}
	}
	for (const f of faces) if (f.kind === 'identity') sides[sides[0].identities.has(key(f)) ? 0 : 1].photos.push(f);
	return sides;
}
