-- Secrets every server of a gallery must agree on (generated tokens), one row per name. SQLite is
-- one server's store: it has no change log (see postgres/003_shared_state.sql).
CREATE TABLE secrets (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
