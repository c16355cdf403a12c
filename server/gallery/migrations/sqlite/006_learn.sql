-- Learning from what people confirm (issue 11). Times are ms since the epoch; embeddings carry
-- their model and dimension like faces do. Nothing here holds a picture unless thumbnails are kept.

-- Faces the recognizer answered `unknown`, kept (opt-in: the `remember_unknowns` setting) for the
-- retention period, grouped by person as they arrived; deleted when named, forgotten or expired.
CREATE TABLE unknown_groups (
	id TEXT PRIMARY KEY,
	first_seen INTEGER NOT NULL,
	last_seen INTEGER NOT NULL
);
CREATE TABLE unknown_faces (
	id TEXT PRIMARY KEY,
	group_id TEXT NOT NULL REFERENCES unknown_groups(id) ON DELETE CASCADE,
	model TEXT NOT NULL,
	dim INTEGER NOT NULL,
	embedding BLOB NOT NULL,
	thumbnail BLOB,
	created_at INTEGER NOT NULL
);
CREATE INDEX unknown_faces_group ON unknown_faces(group_id);

-- Faces someone said are *not* this person ("Not Ann" on the live page): the matcher does not
-- give the person's name to a face closer to one of these than to the person.
CREATE TABLE negatives (
	id TEXT PRIMARY KEY,
	person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	model TEXT NOT NULL,
	dim INTEGER NOT NULL,
	embedding BLOB NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX negatives_person ON negatives(person_id);

-- Every correction made from the live page: `is` enrolled `face_id` for the person, `not` stored
-- `negative_id` against them; `was_person_id` the person the recognizer had named (if any). `device`
-- is the live page's connection, `by_token` which token kind made it. Undoing one deletes the face
-- or negative and sets `undone_at`.
CREATE TABLE corrections (
	id TEXT PRIMARY KEY,
	person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	face_id TEXT,
	negative_id TEXT,
	was_person_id TEXT REFERENCES people(id) ON DELETE CASCADE,
	device TEXT NOT NULL,
	by_token TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	undone_at INTEGER
);
CREATE INDEX corrections_person ON corrections(person_id);

-- A settled name on a live track: a person, or an unknown group, or neither (an unknown face
-- while unknowns are not remembered), on a device, from first to last time in view.
CREATE TABLE sightings (
	id TEXT PRIMARY KEY,
	person_id TEXT REFERENCES people(id) ON DELETE CASCADE,
	group_id TEXT REFERENCES unknown_groups(id) ON DELETE CASCADE,
	label TEXT NOT NULL,
	device TEXT NOT NULL,
	first_seen INTEGER NOT NULL,
	last_seen INTEGER NOT NULL
);
CREATE INDEX sightings_last_seen ON sightings(last_seen);
CREATE INDEX sightings_person ON sightings(person_id);
CREATE INDEX sightings_group ON sightings(group_id);
