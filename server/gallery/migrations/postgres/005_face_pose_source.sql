-- How each face was taken, for enrolment guidance and the People page: `yaw`, the head turn
-- measured on its landmarks at enrolment (src/lib/protocol/pose.ts; NULL when not measured, as for
-- every face stored before this column), and `source`, how it came in (camera, photo, import, api).
-- DOUBLE PRECISION: the same value SQLite's REAL keeps, so a copy between the stores is exact.
ALTER TABLE faces ADD COLUMN yaw DOUBLE PRECISION;
ALTER TABLE faces ADD COLUMN source TEXT;
