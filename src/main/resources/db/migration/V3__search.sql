-- Search: each manifest's human title and description (from labels, annotations and Flatpak appstream
-- data, worked out by the crawler), and per repository the text of its newest tagged content,
-- matched by trigram (names) and full text (names, titles, descriptions).
create extension if not exists pg_trgm;

alter table manifest add column title text;
alter table manifest add column description text;

alter table repository add column title text;
alter table repository add column description text;
alter table repository add column search_document tsvector not null default ''::tsvector;

create index repository_name_trgm on repository using gin (lower(name) gin_trgm_ops);
create index repository_search_document on repository using gin (search_document);
