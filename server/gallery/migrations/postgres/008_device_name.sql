-- The live page's device label ("Chrome on Android", protocol/device.ts) beside `device`, which
-- becomes the page's stable device id rather than its per-load PeerJS id. NULL for rows written
-- before this migration and for pages that send no label: the People page then shows `device`.
-- Cleaned and bounded (48 characters) by the server before it is stored; display only.
ALTER TABLE corrections ADD COLUMN device_name text;
ALTER TABLE sightings ADD COLUMN device_name text;
