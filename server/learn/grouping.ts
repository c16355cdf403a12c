/**
 * Groups unknown faces by person as they arrive (issue 11): every face of one live track goes to
 * the track's group; a track's first face joins the nearest group whose mean lies within
 * `joinDistance`, else starts a new one; and when a group's mean comes within `joinDistance` of
 * another's, the smaller is merged into the larger. Pure: ids come from `newId`, the store is told
 * what changed by the caller.
 *
 * JOIN_DISTANCE is the median choice of `npm run bench:accuracy` section G: chosen on one side of
 * identity-disjoint splits of ../shared/data (every person unknown, a photo's live crops one
 * track; cost = 10 × faces put in another person's group + extra groups per person), scored on
 * the other side. Held out (10 seeds × 2) at 0.45: 2.7 % of faces in another person's group,
 * 0.31 extra groups per person (README *Learning*).
 */
import { euclidean } from '../gallery/matcher.ts';

/**
 * Centroid distance under which two tracks' faces are taken for one person (bench G, see the
 * header): below the match threshold (0.55), as a mixed group is worse than two groups of one
 * person (naming both for the same person merges them anyway).
 */
export const JOIN_DISTANCE = 0.45;
/** Faces kept per group: enough to enrol from, bounded (each is 512 bytes, more with a thumbnail). */
export const MAX_FACES_PER_GROUP = 20;
/**
 * Groups held at once. Each unknown face is compared with every group's mean on the main thread,
 * and a stream of distinct faces (or a client inventing them) would grow them without end: past
 * this, a face that would start a group is not remembered (the People page lists at most a few
 * hundred to name anyway). Retention frees room.
 */
export const MAX_GROUPS = 2_000;
/** Live tracks whose group is remembered; the oldest are forgotten first (a track usually ends by itself). */
export const MAX_TRACKS = 10_000;

export type Placement = {
	groupId: string;
	/** The group was made for this face. */
	created: boolean;
	/** False when the group is full: the face only moves its last seen. */
	keep: boolean;
	/** Another group merged into this one (the store must follow). */
	merged: string[];
};

type Group = { id: string; sum: Float64Array; count: number; stored: number };

export type Grouper = {
	/** Loads stored faces (at start, or after another server's changes). */
	load(faces: Iterable<{ groupId: string; embedding: Float32Array }>): void;
	/** Null: the face would start a group, and MAX_GROUPS are held: not remembered. */
	place(trackKey: string, embedding: Float32Array): Placement | null;
	/** The group was named or forgotten: its faces no longer attract new ones. */
	drop(groupId: string): void;
	groupOf(trackKey: string): string | null;
	/** Forgets tracks (ended), so their keys do not pin memory. */
	endTrack(trackKey: string): void;
	readonly groups: number;
};

export function createGrouper({
	joinDistance = JOIN_DISTANCE,
	maxFaces = MAX_FACES_PER_GROUP,
	maxGroups = MAX_GROUPS,
	maxTracks = MAX_TRACKS,
	newId
}: {
	joinDistance?: number;
	maxFaces?: number;
	maxGroups?: number;
	maxTracks?: number;
	newId: () => string;
}): Grouper {
	const groups = new Map<string, Group>();
	const tracks = new Map<string, string>();

	const mean = (g: Group) => Float32Array.from(g.sum, (x) => x / g.count);
	function add(g: Group, embedding: Float32Array): void {
		if (g.sum.length === 0) g.sum = new Float64Array(embedding.length);
		if (embedding.length !== g.sum.length) return;
		for (let i = 0; i < embedding.length; i++) g.sum[i] = (g.sum[i] as number) + (embedding[i] as number);
		g.count++;
	}
	function nearest(query: Float32Array, except?: string): { group: Group; distance: number } | null {
		let best: { group: Group; distance: number } | null = null;
		for (const g of groups.values()) {
			if (g.id === except || g.count === 0 || g.sum.length !== query.length) continue;
			const distance = euclidean(query, mean(g));
			if (!best || distance < best.distance) best = { group: g, distance };
		}
		return best;
	}
	function merge(into: Group, from: Group): void {
		for (let i = 0; i < into.sum.length; i++) into.sum[i] = (into.sum[i] as number) + (from.sum[i] as number);
		into.count += from.count;
		into.stored += from.stored;
		groups.delete(from.id);
		for (const [track, id] of tracks) if (id === from.id) tracks.set(track, into.id);
	}

	return {
		load(faces) {
			groups.clear();
			for (const { groupId, embedding } of faces) {
				let g = groups.get(groupId);
				if (!g) groups.set(groupId, (g = { id: groupId, sum: new Float64Array(0), count: 0, stored: 0 }));
				add(g, embedding);
				g.stored++;
			}
			for (const [track, id] of tracks) if (!groups.has(id)) tracks.delete(track);
		},
		place(trackKey, embedding) {
			let g = groups.get(tracks.get(trackKey) ?? '');
			let created = false;
			if (!g) {
				const near = nearest(embedding);
				if (near && near.distance < joinDistance) g = near.group;
				else if (groups.size >= maxGroups) return null;
				else {
					g = { id: newId(), sum: new Float64Array(0), count: 0, stored: 0 };
					groups.set(g.id, g);
					created = true;
				}
				tracks.set(trackKey, g.id);
				// Map order is insertion order: the first key is the track placed longest ago.
				if (tracks.size > maxTracks) tracks.delete(tracks.keys().next().value as string);
			}
			const keep = g.stored < maxFaces;
			if (keep) {
				add(g, embedding);
				g.stored++;
			}
			const merged: string[] = [];
			const other = nearest(mean(g), g.id);
			if (other && other.distance < joinDistance) {
				const [into, from] = other.group.stored > g.stored ? [other.group, g] : [g, other.group];
				merge(into, from);
				merged.push(from.id);
				g = into;
			}
			return { groupId: g.id, created, keep, merged };
		},
		drop(groupId) {
			groups.delete(groupId);
			for (const [track, id] of tracks) if (id === groupId) tracks.delete(track);
		},
		groupOf: (trackKey) => tracks.get(trackKey) ?? null,
		endTrack(trackKey) {
			tracks.delete(trackKey);
		},
		get groups() {
			return groups.size;
		}
	};
}
