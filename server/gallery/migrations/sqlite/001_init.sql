CREATE TABLE people (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	created_at INTEGER NOT NULL
);

-- One row per enrolled face. `model` and `dim` travel with each vector so that a model change can
-- never silently mix incomparable embeddings.
CREATE TABLE faces (
	id TEXT PRIMARY KEY,
	person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	model TEXT NOT NULL,
	dim INTEGER NOT NULL,
	embedding BLOB NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE INDEX faces_person ON faces(person_id);
