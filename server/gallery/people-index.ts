/**
 * The matcher's index of people: each person's centroid (the weighted mean of their embeddings),
 * built once per gallery snapshot and, for a snapshot grouped by person (groupedEntries), rebuilt
 * after a change only where the change is. Pure: entries in, index out.
 */

/**
 * One stored embedding, already validated for model and dimension. `weight` (> 0, default 1):
 * how much it counts in its person's centroid (enrol-quality.ts).
 */
export type GalleryEntry = { personId: string; name: string; embedding: Float32Array; weight?: number };

/**
 * Centroids of one dimension. Row p (person p: `ids[p]`, `names[p]`, `members[p]`) has its mean
 * embedding in block b where `starts[b] <= p < starts[b + 1]`, at `(p - starts[b]) * dim`
 * (centroidOf). Blocks, not one array: after a change only the blocks around the people it touched
 * are new (see blocksOf).
 */
export type PeopleIndex = {
	ids: string[];
	names: string[];
	dim: number;
	blocks: Float32Array[];
	/** Row of each block's first person. */
	starts: number[];
	/** Row p: person p's embeddings (for adaptive.ts's per-person figures). */
	members: Float32Array[][];
};

/** Person `p`'s centroid (a view into its block). */
export function centroidOf(index: PeopleIndex, p: number): Float32Array {
	const { starts, blocks, dim } = index;
	let lo = 0;
	let hi = starts.length - 1;
	while (lo < hi) {
		const mid = (lo + hi + 1) >>> 1;
		if ((starts[mid] as number) <= p) lo = mid;
		else hi = mid - 1;
	}
	const at = (p - (starts[lo] as number)) * dim;
	return (blocks[lo] as Float32Array).subarray(at, at + dim);
}

/** Keyed by the entries array itself: a new array (any gallery write) gets a fresh index. */
const indexCache = new WeakMap<readonly GalleryEntry[], Map<number, PeopleIndex>>();

/** People with their centroids (row p's at `p * dim`): a block of the index, or a whole small one. */
type Rows = { ids: string[]; names: string[]; members: Float32Array[][]; centroids: Float32Array };
/** Flat arrays made by groupedEntries, and the per-person arrays they were made from. */
const groupsOf = new WeakMap<readonly GalleryEntry[], ReadonlyArray<readonly GalleryEntry[]>>();

/**
 * The entries of `groups` as one flat array, which the matcher indexes in blocks of groups, keeping
 * every block whose groups it has seen before in that order. Each group holds every entry of its
 * people, no person is in two groups, and a group is never changed once given here (a change makes
 * a new array): then the index is the one the flat array alone would give. The gallery snapshot
 * hands out its entries this way, one group per person.
 */
export function groupedEntries(groups: ReadonlyArray<readonly GalleryEntry[]>): readonly GalleryEntry[] {
	// A loop, not groups.flat(): at 500 000 entries flat() took ~45 ms, this ~5.
	let length = 0;
	for (const group of groups) length += group.length;
	const flat = new Array<GalleryEntry>(length);
	let at = 0;
	for (const group of groups) for (let k = 0; k < group.length; k++) flat[at++] = group[k] as GalleryEntry;
	groupsOf.set(flat, groups);
	return flat;
}

/**
 * A run of consecutive groups and their centroids in one array. A block ends after a group whose
 * first person's id hashes to a multiple of BLOCK_GROUPS (or at BLOCK_MAX_GROUPS groups), so where
 * blocks end depends on the people in them, not on positions: a person added, changed (the
 * snapshot moves them to the end) or deleted makes the block they were in and the last block
 * anew, and every other block is found again as it was. Why: the whole index at 100 000 people is
 * 51 MB of centroids; copying it after every change cost a first query after an enrolment 184 ms
 * of CPU, now 32 ms (`npm run bench:scale`, README *How far it goes*). A block of ~256 people
 * costs well under a millisecond to sum again.
 */
type Block = { groups: ReadonlyArray<readonly GalleryEntry[]>; rows: Rows };
const BLOCK_GROUPS = 256;
const BLOCK_MAX_GROUPS = 4 * BLOCK_GROUPS;
/** Each block by its first group, per dimension; a group that is no longer a block's first loses its entry. */
const blockAt = new WeakMap<readonly GalleryEntry[], Map<number, Block>>();

/** FNV-1a of a string. */
function hashOf(text: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
	return h >>> 0;
}

const endsBlock = (group: readonly GalleryEntry[]) => group.length > 0 && hashOf((group[0] as GalleryEntry).personId) % BLOCK_GROUPS === 0;

/** The blocks of `groups` in order: the ones seen before as they were, the others built from their groups' entries. */
function blocksOf(groups: ReadonlyArray<readonly GalleryEntry[]>, dim: number): Block[] {
	const blocks: Block[] = [];
	let g = 0;
	while (g < groups.length) {
		const first = groups[g] as readonly GalleryEntry[];
		const known = blockAt.get(first)?.get(dim);
		if (known && known.groups.every((group, k) => groups[g + k] === group)) {
			blocks.push(known);
			g += known.groups.length;
			continue;
		}
		const run: Array<readonly GalleryEntry[]> = [];
		while (g < groups.length) {
			const group = groups[g++] as readonly GalleryEntry[];
			run.push(group);
			if (endsBlock(group) || run.length >= BLOCK_MAX_GROUPS) break;
		}
		const block: Block = { groups: run, rows: buildRows(run.flat(), dim) };
		for (let k = 1; k < run.length; k++) blockAt.get(run[k] as readonly GalleryEntry[])?.delete(dim);
		let byDim = blockAt.get(first);
		if (!byDim) blockAt.set(first, (byDim = new Map<number, Block>()));
		byDim.set(dim, block);
		blocks.push(block);
	}
	return blocks;
}

function indexOfGroups(groups: ReadonlyArray<readonly GalleryEntry[]>, dim: number): PeopleIndex {
	const blocks = blocksOf(groups, dim);
	const index: PeopleIndex = { ids: [], names: [], dim, blocks: [], starts: [], members: [] };
	for (const { rows } of blocks) {
		if (rows.ids.length === 0) continue;
		index.starts.push(index.ids.length);
		index.blocks.push(rows.centroids);
		for (let p = 0; p < rows.ids.length; p++) {
			index.ids.push(rows.ids[p] as string);
			index.names.push(rows.names[p] as string);
			index.members.push(rows.members[p] as Float32Array[]);
		}
	}
	return index;
}

/** What `build` makes of `entries` for vectors of `dim`, made once per array and dimension. */
function perDim<T>(cache: WeakMap<readonly GalleryEntry[], Map<number, T>>, entries: readonly GalleryEntry[], dim: number, build: () => T): T {
	let byDim = cache.get(entries);
	if (!byDim) {
		byDim = new Map();
		cache.set(entries, byDim);
	}
	let made = byDim.get(dim);
	if (made === undefined) {
		made = build();
		byDim.set(dim, made);
	}
	return made;
}

/** The people of `entries` (in order of first appearance) with their centroids. */
function buildRows(entries: readonly GalleryEntry[], dim: number): Rows {
	const rows = new Map<string, number>();
	const ids: string[] = [];
	const names: string[] = [];
	const counts: number[] = [];
	const members: Float32Array[][] = [];
	const rowOf = new Int32Array(entries.length).fill(-1);
	for (let e = 0; e < entries.length; e++) {
		const { personId, name, embedding } = entries[e] as GalleryEntry;
		if (embedding.length !== dim) continue;
		let row = rows.get(personId);
		if (row === undefined) {
			row = ids.length;
			rows.set(personId, row);
			ids.push(personId);
			names.push(name);
			counts.push(0);
			members.push([]);
		}
		counts[row] = (counts[row] as number) + weightOf(entries[e] as GalleryEntry);
		(members[row] as Float32Array[]).push(embedding);
		rowOf[e] = row;
	}
	const sums = new Float64Array(ids.length * dim);
	for (let e = 0; e < entries.length; e++) {
		const row = rowOf[e] as number;
		if (row < 0) continue;
		const embedding = (entries[e] as GalleryEntry).embedding;
		const w = weightOf(entries[e] as GalleryEntry);
		const base = row * dim;
		for (let i = 0; i < dim; i++) {
			sums[base + i] = (sums[base + i] as number) + w * (embedding[i] as number);
		}
	}
	const centroids = new Float32Array(sums.length);
	for (let row = 0; row < ids.length; row++) {
		const count = counts[row] as number;
		for (let i = row * dim; i < (row + 1) * dim; i++) centroids[i] = (sums[i] as number) / count;
	}
	return { ids, names, centroids, members };
}

/** An entry's weight in its centroid: its `weight` when finite and > 0, else 1. */
const weightOf = (entry: GalleryEntry): number => (entry.weight !== undefined && Number.isFinite(entry.weight) && entry.weight > 0 ? entry.weight : 1);

/** The index of `entries` for vectors of `dim`, made once per entries array. */
export function indexFor(entries: readonly GalleryEntry[], dim: number): PeopleIndex {
	return perDim(indexCache, entries, dim, () => {
		const groups = groupsOf.get(entries);
		if (groups) return indexOfGroups(groups, dim);
		const { ids, names, members, centroids } = buildRows(entries, dim);
		return { ids, names, dim, members, blocks: ids.length ? [centroids] : [], starts: ids.length ? [0] : [] };
	});
}

/** The index's centroid arrays for `entries` (for tests and benches: which blocks a change rebuilt). */
export function centroidBlocks(entries: readonly GalleryEntry[], dim: number): readonly Float32Array[] {
	return indexFor(entries, dim).blocks;
}
