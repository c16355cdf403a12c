/**
 * The learning store port (issue 11): unknown face groups, negative examples, corrections and
 * sightings, kept by the gallery's own database (`gallery.learn`: sqlite-learn.ts, pg-learn.ts)
 * so that deleting a person deletes everything about them in the same transaction, and a copy
 * between stores carries it. Checked by learn.contract.ts against both stores.
 */

/** A face of an unknown group; `thumbnail` (JPEG) only while thumbnails are kept. */
export type UnknownFace = { groupId: string; embedding: Float32Array; at: number; thumbnail?: Uint8Array | null };

/** A group as listed: faces kept, first and last seen (ms), the latest thumbnail when kept. */
export type UnknownGroup = { id: string; faces: number; firstSeen: number; lastSeen: number; thumbnail?: Uint8Array };

export type Negative = { id: string; personId: string; embedding: Float32Array; createdAt: number };

export type CorrectionKind = 'is' | 'not';

/**
 * One correction from the live page. `is`: `faceId` was enrolled for `personId`; `not`:
 * `negativeId` was stored against `personId`. `wasPersonId`: whom the recognizer had named.
 * `device`, `deviceName`: the live page's device (see DeviceRef); `byToken`: which token kind made it.
 */
export type Correction = {
	id: string;
	personId: string;
	kind: CorrectionKind;
	faceId: string | null;
	negativeId: string | null;
	wasPersonId: string | null;
	device: string;
	deviceName: string | null;
	byToken: string;
	createdAt: number;
	undoneAt: number | null;
};

/**
 * Which live page, for display only (the client chose it: src/lib/protocol/device.ts). `device`:
 * the page's stable device id, or the channel's PeerJS id for a page that sent none (older pages,
 * and rows written before migration 008); `deviceName`: its cleaned label ("Chrome on Android"),
 * null when none was sent.
 */
export type DeviceRef = { device: string; deviceName: string | null };

/** A settled name on a live track; `personId` and `groupId` both null for an unremembered unknown. */
export type Sighting = {
	id: string;
	personId: string | null;
	groupId: string | null;
	label: string;
	device: string;
	deviceName: string | null;
	firstSeen: number;
	lastSeen: number;
};

export type LearnSettings = {
	/** Keep the embeddings of faces answered `unknown`, grouped, for naming later. Off by default. */
	rememberUnknowns: boolean;
};

export const DEFAULT_LEARN_SETTINGS: LearnSettings = Object.freeze({ rememberUnknowns: false });

/**
 * What an import's transaction knows when it plans the learning rows (learn/transfer.ts
 * `planLearningImport`): the people as it leaves them, found by the name the import gave them.
 */
export type LearningSeen = {
	personIdOf(name: string): string | undefined;
	/** `${personId}:${embeddingKey}` of every stored negative of the current model (empty unless `wants.negatives`). */
	negativeKeys: ReadonlySet<string>;
	/** `embeddingKey` of every stored unknown face of the current model (empty unless `wants.unknowns`). */
	unknownKeys: ReadonlySet<string>;
	rememberUnknowns: boolean;
	keepThumbnails: boolean;
};

/** What the planner needs read inside the transaction: stored rows are read only for what the document carries. */
export type LearningWants = { negatives: boolean; unknowns: boolean };

/** An import's learning parts, checked: what to read for them, and the planner. */
export type LearningImport = { wants: LearningWants; plan: (seen: LearningSeen) => LearningPlan };

/** The learning rows an import writes in its own transaction, and what it tells the caller. */
export type LearningPlan = {
	negatives: Array<{ personId: string; embedding: Float32Array }>;
	unknownGroups: Array<{ groupId: string; faces: UnknownFace[] }>;
	result: {
		negativesAdded: number;
		unknownFacesAdded: number;
		/** The document held unknown faces but `rememberUnknowns` is off: none were kept. */
		unknownsSkipped?: number;
	};
};

export interface LearnStore {
	learnSettings(): Promise<LearnSettings>;
	/** Turning `rememberUnknowns` off deletes every unknown group in the same transaction. */
	updateLearnSettings(patch: Partial<LearnSettings>): Promise<LearnSettings>;

	/** Creates the group when it is new (first seen `at`), adds the faces, moves its last seen. */
	addUnknownFaces(groupId: string, faces: readonly UnknownFace[]): Promise<void>;
	/** Moves every face (and sighting) of `from` into `into`, which takes the widest seen span; `from` is deleted. */
	mergeUnknownGroups(into: string, from: string): Promise<void>;
	/** Biggest first (then most recently seen); thumbnails only when asked for. */
	listUnknownGroups(options?: { thumbnails?: boolean }): Promise<UnknownGroup[]>;
	/** The faces of one group (oldest first), or of every group; current model only. */
	unknownFaces(groupId?: string): Promise<UnknownFace[]>;
	/** False for an unknown id. Its faces and sightings go with it. */
	deleteUnknownGroup(id: string): Promise<boolean>;
	/**
	 * The group was enrolled as `personId` (named `label`): its sightings become the person's and the
	 * group is deleted, in one transaction. False when the group is gone.
	 */
	settleUnknownGroup(id: string, personId: string, label: string): Promise<boolean>;
	/** Drops every thumbnail of unknown faces (thumbnails turned off). */
	dropUnknownThumbnails(): Promise<void>;

	/** Throws AppError('not-found') for an unknown person. Other servers sharing the gallery follow. */
	addNegative(personId: string, embedding: Float32Array): Promise<Negative>;
	deleteNegative(id: string): Promise<boolean>;
	/** Every negative of the current model. */
	negatives(): Promise<Negative[]>;

	addCorrection(correction: Omit<Correction, 'id' | 'createdAt' | 'undoneAt'>): Promise<Correction>;
	getCorrection(id: string): Promise<Correction | null>;
	/** Newest first; every correction naming the person, as the one corrected or the one who had been named. */
	listCorrections(personId: string): Promise<Correction[]>;
	/** Sets `undoneAt`; false when there is no such correction or it was undone already. */
	markUndone(id: string, at: number): Promise<boolean>;

	addSighting(sighting: Sighting): Promise<void>;
	/** Moves a sighting's last time in view forward (never back). */
	touchSighting(id: string, lastSeen: number): Promise<void>;
	/** Sightings in view at or after `since` (ms), newest first, at most `limit`. */
	listSightings(since: number, limit: number): Promise<Sighting[]>;

	/**
	 * Retention: deletes unknown groups and sightings last seen before `before` (ms), and unknown
	 * faces stored before it. Returns what went.
	 */
	expire(before: number): Promise<{ groups: number; faces: number; sightings: number }>;
}
