-- One-time pairing codes (server/http/pairing.ts), by their SHA-256, so that a code made on one
-- server is good on every server of the gallery, and only once: taking it is one DELETE.
-- Ephemeral: never copied between stores.
CREATE TABLE pairing_codes (
	code_hash text PRIMARY KEY,
	role text NOT NULL,
	expires_at bigint NOT NULL
);
