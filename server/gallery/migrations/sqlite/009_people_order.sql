-- The order the people list is read in (sqlite-people.ts: name, case aside, then id), indexed: a
-- page of GET /api/people?limit=… is a seek to its cursor and a short read, wherever it is, and a
-- search reads every (id, name) from this index alone, never the table.
CREATE INDEX people_order ON people(name COLLATE NOCASE, id);
