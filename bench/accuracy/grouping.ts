/**
 * Section G of bench:accuracy: how the grouping of unknown faces (server/learn/grouping.ts) does,
 * and its JOIN_DISTANCE chosen on one side of an identity-disjoint split and scored on the other.
 *
 * Every person of a side is a stranger to the gallery here: each identity photo is one "track"
 * whose faces are the photo's crops as the live page would send them over a few frames (the live
 * 112 px crop, the 160 px crop, the upright-chip live crop), and each stranger photo is its own
 * person with one track. Tracks arrive in a random order and go through the real grouper.
 * A group is scored by its majority person: `mixed` = faces in a group not of its majority (the
 * dangerous error: *Name…* would enrol them), `split` = groups beyond one per person (harmless
 * but more to name). Cost = MIXED_COST × mixed share + split per person.
 */
import { createGrouper } from '../../server/learn/grouping.ts';
import type { Variant } from './embed.ts';
import { rng } from '../rng.ts';
import type { Side } from './trials.ts';

export const JOIN_DISTANCES = Array.from({ length: 13 }, (_, k) => Math.round((0.3 + k * 0.025) * 1000) / 1000);
/** A face put in another person's group costs this many extra groups to name. */
export const MIXED_COST = 10;
const TRACK_VARIANTS: readonly Variant[] = ['live', 'crop160', 'live-upright'];

export type GroupingScore = { mixed: number; faces: number; split: number; people: number; cost: number };

type Track = { person: string; faces: Float32Array[] };

function tracksOf(side: Side): Track[] {
	const tracks: Track[] = [];
	for (const f of [...side.photos, ...side.strangers]) {
		const faces = TRACK_VARIANTS.map((v) => f.v[v]).filter((x): x is Float32Array => x !== undefined);
		if (faces.length === 0) continue;
		const person = f.kind === 'identity' ? `${f.source}:${f.identity}` : `${f.source}:stranger:${f.file}`;
		tracks.push({ person, faces });
	}
	return tracks;
}

export function scoreGrouping(tracks: readonly Track[], joinDistance: number, seed: number): GroupingScore {
	const random = rng(seed);
	const order = [...tracks];
	for (let i = order.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[order[i], order[j]] = [order[j]!, order[i]!];
	}
	let n = 0;
	const grouper = createGrouper({ joinDistance, newId: () => `g${n++}`, maxFaces: 1000, maxGroups: Infinity });
	// Which face went where: a merge moves a group's faces, so follow merges to the end.
	const placed: Array<{ person: string; group: string }> = [];
	const mergedInto = new Map<string, string>();
	order.forEach((track, t) => {
		for (const face of track.faces) {
			const p = grouper.place(`t${t}`, face)!; // maxGroups: Infinity, so always placed
			for (const from of p.merged) mergedInto.set(from, p.groupId);
			placed.push({ person: track.person, group: p.groupId });
		}
		grouper.endTrack(`t${t}`);
	});
	const final = (g: string): string => {
		let id = g;
		while (mergedInto.has(id)) id = mergedInto.get(id)!;
		return id;
	};
	const byGroup = new Map<string, Map<string, number>>();
	for (const { person, group } of placed) {
		const counts = byGroup.get(final(group)) ?? new Map<string, number>();
		counts.set(person, (counts.get(person) ?? 0) + 1);
		byGroup.set(final(group), counts);
	}
	let mixed = 0;
	const groupsOfPerson = new Map<string, number>();
	for (const counts of byGroup.values()) {
		const [major] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
		for (const [person, count] of counts) if (person !== major) mixed += count;
		groupsOfPerson.set(major, (groupsOfPerson.get(major) ?? 0) + 1);
	}
	const people = new Set(tracks.map((t) => t.person)).size;
	const split = byGroup.size - groupsOfPerson.size;
	const faces = placed.length;
	return { mixed, faces, split, people, cost: MIXED_COST * (mixed / Math.max(1, faces)) + split / Math.max(1, people) };
}

/** Chosen on `tune` (three arrival orders), scored on `test`; and the shipped distance on `test`. */
export function groupingOutcome(tune: Side, test: Side, seed: number, shipped: number): { chosen: number; test: GroupingScore; shippedTest: GroupingScore } {
	const tuneTracks = tracksOf(tune);
	const testTracks = tracksOf(test);
	let best = { d: JOIN_DISTANCES[0]!, cost: Infinity };
	for (const d of JOIN_DISTANCES) {
		const cost = [1, 2, 3].reduce((sum, k) => sum + scoreGrouping(tuneTracks, d, seed * 10 + k).cost, 0);
		if (cost < best.cost - 1e-12) best = { d, cost };
	}
	return { chosen: best.d, test: scoreGrouping(testTracks, best.d, seed), shippedTest: scoreGrouping(testTracks, shipped, seed) };
}
