-- The same tables and columns as migrations/sqlite (so `npm run gallery -- copy` moves rows as
-- they are); times are ms since the epoch, embeddings float32 little-endian bytes.
CREATE TABLE people (
	id text PRIMARY KEY,
	name text NOT NULL,
	created_at bigint NOT NULL
);

-- One row per enrolled face. `model` and `dim` travel with each vector so that a model change can
-- never silently mix incomparable embeddings. `seq` is the insertion order (SQLite's rowid).
CREATE TABLE faces (
	id text PRIMARY KEY,
	seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
	person_id text NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	model text NOT NULL,
	dim integer NOT NULL,
	embedding bytea NOT NULL,
	created_at bigint NOT NULL
);

CREATE INDEX faces_person ON faces(person_id);
