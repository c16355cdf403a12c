-- Optional face thumbnails (small JPEGs), kept only while the `keep_thumbnails` setting is on;
-- by default the gallery holds embeddings only.
ALTER TABLE faces ADD COLUMN thumbnail BLOB;

-- Gallery-wide settings, one row per key; values are JSON.
CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
