-- Each person's name as names.ts's nameKey() compares names (case, width and invisible joiners
-- aside), indexed: the check that a new or changed name is free is one lookup, not a read of
-- every name (0.1–0.7 s at 100 000 people, on every enrolment). SQL cannot compute nameKey, so
-- the store fills the column after migrating (fillNameKeys) for every row where it is NULL: rows
-- written before this migration, or after a later one that sets it NULL because nameKey changed.
ALTER TABLE people ADD COLUMN name_key TEXT;
CREATE INDEX people_name_key ON people(name_key);
