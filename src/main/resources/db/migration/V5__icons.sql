-- A repository's title, description and icon are worked out once, by the crawler (registry/ImageText),
-- and stored; every endpoint reads these columns. The icon is a data: URI or an http(s) URL of at most
-- 64 KiB (a Flatpak appstream icon label, else io.artifacthub.package.logo-url).
--
-- Existing rows: manifests are immutable and not fetched again, so a manifest stored before this
-- migration keeps a null icon until it is collected and fetched anew. Repository rows (title,
-- description, icon and search_document, whose words are now cut at the same punctuation as the
-- search's prefix query) are rewritten from their representative tag by the crawler on the next full
-- sync, which refreshes every repository it visits.
alter table manifest add column icon text;
alter table repository add column icon text;
