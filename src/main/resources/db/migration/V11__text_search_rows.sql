-- A search text's matches at 100,000 images. Both /v1/search and /api/v1/search start a text by reading every
-- repository it matches once (SearchReader's match set): for a broad prefix such as "te", 18,226 of 20,000
-- repositories. Through repository's own indexes that visited about 3,700 pages of rows 1.2 KB wide (title,
-- description, an inline icon, the facets): 21 ms warm on this machine, and 150 ms on a database session that had
-- not read them before. The same statement over the narrow rows below took 13 and 53 ms.
--
-- tagged_repository (V10) already holds one narrow row per repository with tags, kept by a trigger on
-- repository in the same transaction as every change; it now also carries what a text is matched against, with
-- the same indexes as repository: the trigram index of the lower-cased name, the two-character substrings of the
-- name (V9), and the full-text document.

alter table tagged_repository add column name_bigrams text[] not null default '{}';
alter table tagged_repository add column search_document tsvector not null default ''::tsvector;

create or replace function flagstate_repositories_changed() returns trigger
language plpgsql as $$
begin
  -- in token order, so two transactions adding the same new tokens wait for each other instead of deadlocking
  insert into facet_token (token)
  select distinct u.token from changed c cross join unnest(c.facets) u(token) order by 1
  on conflict do nothing;
  delete from tagged_repository t using changed c where t.id = c.id and c.tag_count = 0;
  insert into tagged_repository (id, name, changed_at, tokens, common_tokens, name_bigrams, search_document)
  select c.id, c.name, c.changed_at, flagstate_token_ids(c.facets), flagstate_token_ids(c.common_facets),
         c.name_bigrams, c.search_document
  from changed c where c.tag_count > 0
  on conflict (id) do update
  set changed_at = excluded.changed_at, tokens = excluded.tokens, common_tokens = excluded.common_tokens,
      search_document = excluded.search_document
  where (tagged_repository.changed_at, tagged_repository.tokens, tagged_repository.common_tokens,
         tagged_repository.search_document)
        is distinct from (excluded.changed_at, excluded.tokens, excluded.common_tokens, excluded.search_document);
  return null;
end
$$;

update tagged_repository t set name_bigrams = r.name_bigrams, search_document = r.search_document
from repository r where r.id = t.id;

create index tagged_repository_name_trgm on tagged_repository using gin (lower(name) gin_trgm_ops);
create index tagged_repository_name_bigrams on tagged_repository using gin (name_bigrams);
create index tagged_repository_search_document on tagged_repository using gin (search_document);

analyze tagged_repository;
