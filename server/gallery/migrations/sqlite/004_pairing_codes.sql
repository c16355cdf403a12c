-- One-time pairing codes (server/http/pairing.ts), by their SHA-256: kept here only when several
-- servers share the gallery (PostgreSQL), so that a code made on one is good on all; SQLite has
-- the table for the same schema on both stores. Ephemeral: never copied between stores.
CREATE TABLE pairing_codes (
	code_hash TEXT PRIMARY KEY,
	role TEXT NOT NULL,
	expires_at INTEGER NOT NULL
);
