-- The JSON API (/api/v1/) shows an image's sizes: the manifest's own size is already stored; these are
-- the config blob's size and the total of the layers' sizes, as the image manifest declares them. Null
-- for lists, and for images stored before this migration (manifests are immutable, so such a row is
-- only refilled if it is collected and fetched again).
alter table manifest add column config_size bigint;
alter table manifest add column layers_size bigint;
