-- The order the people list is read in (pg-people.ts: lower() under the C collation, ASCII folded
-- in byte order, as SQLite's NOCASE; then id), indexed: a page of GET /api/people?limit=… is a seek
-- to its cursor and a short read, wherever it is, and the first page needs no sort of everyone.
CREATE INDEX people_order ON people (lower(name COLLATE "C"), id COLLATE "C");

-- A person's latest thumbnail (WHERE person_id = … ORDER BY seq DESC LIMIT 1) read from one index,
-- whatever the planner's statistics say. Without statistics (a gallery just copied in, before
-- autovacuum analyses it) PostgreSQL walked faces_seq backwards from the newest face for each
-- person: 20 000 people with thumbnails listed in 19.7 s instead of 0.6 s, and at 100 000 the
-- list ran past the 60 s query timeout. It also serves every lookup faces_person did, but
-- faces_person stays: dropping it takes an exclusive lock on faces, which would queue behind an
-- older server's long read still running on the same database and stall every read behind it.
CREATE INDEX faces_person_seq ON faces (person_id, seq);
