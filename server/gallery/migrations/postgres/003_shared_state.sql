-- Secrets every server of a gallery must agree on (generated tokens), one row per name.
CREATE TABLE secrets (
	name text PRIMARY KEY,
	value text NOT NULL,
	created_at bigint NOT NULL
);

-- How servers follow each other's writes. Every write transaction raises `version` last thing
-- before it commits; the row lock is held until the commit, so versions commit in order and a
-- server that has seen version N has seen every change up to N. `changes` names the people each
-- version touched; rows below `pruned_below` are gone, and a server further behind reloads all.
CREATE TABLE gallery_state (
	only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
	version bigint NOT NULL,
	pruned_below bigint NOT NULL
);
INSERT INTO gallery_state (version, pruned_below) VALUES (0, 0);

CREATE TABLE changes (
	version bigint NOT NULL,
	person_id text NOT NULL,
	PRIMARY KEY (version, person_id)
);
