-- The same tables as migrations/sqlite/006_learn.sql; `seq` is the insertion order (SQLite's rowid).
-- Learning from what people confirm (issue 11). Times are ms since the epoch; embeddings carry
-- their model and dimension like faces do. Nothing here holds a picture unless thumbnails are kept.

-- Faces the recognizer answered `unknown`, kept (opt-in: the `remember_unknowns` setting) for the
-- retention period, grouped by person as they arrived; deleted when named, forgotten or expired.
CREATE TABLE unknown_groups (
	id text PRIMARY KEY,
	first_seen bigint NOT NULL,
	last_seen bigint NOT NULL
);
CREATE TABLE unknown_faces (
	id text PRIMARY KEY,
	seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
	group_id text NOT NULL REFERENCES unknown_groups(id) ON DELETE CASCADE,
	model text NOT NULL,
	dim integer NOT NULL,
	embedding bytea NOT NULL,
	thumbnail bytea,
	created_at bigint NOT NULL
);
CREATE INDEX unknown_faces_group ON unknown_faces(group_id);

-- Faces someone said are *not* this person ("Not Ann" on the live page): the matcher does not
-- give the person's name to a face closer to one of these than to the person.
CREATE TABLE negatives (
	id text PRIMARY KEY,
	seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
	person_id text NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	model text NOT NULL,
	dim integer NOT NULL,
	embedding bytea NOT NULL,
	created_at bigint NOT NULL
);
CREATE INDEX negatives_person ON negatives(person_id);

-- Every correction made from the live page: `is` enrolled `face_id` for the person, `not` stored
-- `negative_id` against them; `was_person_id` the person the recognizer had named (if any). `device`
-- is the live page's connection, `by_token` which token kind made it. Undoing one deletes the face
-- or negative and sets `undone_at`.
CREATE TABLE corrections (
	id text PRIMARY KEY,
	seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
	person_id text NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	kind text NOT NULL,
	face_id text,
	negative_id text,
	was_person_id text REFERENCES people(id) ON DELETE CASCADE,
	device text NOT NULL,
	by_token text NOT NULL,
	created_at bigint NOT NULL,
	undone_at bigint
);
CREATE INDEX corrections_person ON corrections(person_id);

-- A settled name on a live track: a person, or an unknown group, or neither (an unknown face
-- while unknowns are not remembered), on a device, from first to last time in view.
CREATE TABLE sightings (
	id text PRIMARY KEY,
	seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
	person_id text REFERENCES people(id) ON DELETE CASCADE,
	group_id text REFERENCES unknown_groups(id) ON DELETE CASCADE,
	label text NOT NULL,
	device text NOT NULL,
	first_seen bigint NOT NULL,
	last_seen bigint NOT NULL
);
CREATE INDEX sightings_last_seen ON sightings(last_seen);
CREATE INDEX sightings_person ON sightings(person_id);
CREATE INDEX sightings_group ON sightings(group_id);
