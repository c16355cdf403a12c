import { describe, expect, it } from 'vitest';
import { createGrouper } from './grouping.ts';

const vec = (...xs: number[]) => Float32Array.from(xs);
const ids = () => {
	let n = 0;
	return () => `g${++n}`;
};

describe('grouping unknown faces', () => {
	it('keeps one track’s faces together, joins a close track, and starts a group for a far one', () => {
		const grouper = createGrouper({ joinDistance: 0.5, newId: ids() });
		expect(grouper.place('t1', vec(0, 0))).toEqual({ groupId: 'g1', created: true, keep: true, merged: [] });
		// The same track keeps its group even for a face far from it (one person, another angle).
		expect(grouper.place('t1', vec(0.8, 0))).toMatchObject({ groupId: 'g1', created: false });
		expect(grouper.place('t2', vec(0.4, 0.1))).toMatchObject({ groupId: 'g1', created: false });
		expect(grouper.place('t3', vec(5, 5))).toMatchObject({ groupId: 'g2', created: true });
		expect(grouper.groups).toBe(2);
		expect(grouper.groupOf('t2')).toBe('g1');
	});

	it('merges two groups whose means come close, the smaller into the larger', () => {
		const grouper = createGrouper({ joinDistance: 0.5, newId: ids() });
		for (let i = 0; i < 3; i++) grouper.place('a', vec(0, 0));
		grouper.place('b', vec(1, 0));
		// Track b drifts towards a: its group's mean (0.45, 0) comes within 0.5 of a's.
		const placed = grouper.place('b', vec(-0.1, 0));
		expect(placed).toMatchObject({ groupId: 'g1', merged: ['g2'] });
		expect(grouper.groups).toBe(1);
		expect(grouper.groupOf('b')).toBe('g1');
	});

	it('stops keeping faces once a group is full, and forgets dropped groups and ended tracks', () => {
		const grouper = createGrouper({ joinDistance: 0.5, maxFaces: 2, newId: ids() });
		expect(grouper.place('t', vec(0, 0))?.keep).toBe(true);
		expect(grouper.place('t', vec(0, 0))?.keep).toBe(true);
		expect(grouper.place('t', vec(0, 0))?.keep).toBe(false);
		grouper.endTrack('t');
		expect(grouper.groupOf('t')).toBeNull();
		grouper.drop('g1');
		expect(grouper.place('u', vec(0, 0))).toMatchObject({ groupId: 'g2', created: true });
	});

	it('remembers no face that would start a group past maxGroups, and forgets the oldest tracks past maxTracks', () => {
		const grouper = createGrouper({ joinDistance: 0.5, maxGroups: 2, maxTracks: 3, newId: ids() });
		expect(grouper.place('a', vec(0, 0))).toMatchObject({ groupId: 'g1', created: true });
		expect(grouper.place('b', vec(5, 5))).toMatchObject({ groupId: 'g2', created: true });
		expect(grouper.place('c', vec(10, 10))).toBeNull();
		expect(grouper.groups).toBe(2);
		// A face near a held group still joins it.
		expect(grouper.place('d', vec(0.1, 0))).toMatchObject({ groupId: 'g1', created: false });
		expect(grouper.place('e', vec(5, 5.1))).toMatchObject({ groupId: 'g2' });
		expect(grouper.place('f', vec(0, 0.1))).toMatchObject({ groupId: 'g1' });
		// Four tracks placed, three kept: the first one placed is forgotten.
		expect(['a', 'd', 'e', 'f'].map((t) => grouper.groupOf(t))).toEqual([null, 'g1', 'g2', 'g1']);
		grouper.drop('g2');
		expect(grouper.place('c', vec(10, 10))).toMatchObject({ groupId: 'g3', created: true });
	});

	it('loads stored groups, so a face seen after a restart joins its group', () => {
		const grouper = createGrouper({ joinDistance: 0.5, newId: ids() });
		grouper.load([
			{ groupId: 'stored', embedding: vec(3, 3) },
			{ groupId: 'stored', embedding: vec(3, 3.2) }
		]);
		expect(grouper.place('t', vec(3, 3.1))).toMatchObject({ groupId: 'stored', created: false });
	});
});
