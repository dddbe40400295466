-- /api/v1/search without text at 100,000 images. Every filter combination was counted in SQL: one pass over
-- every match (its total and last change) and the tokens of a sample of about 2,000. For a filter most
-- repositories pass (os=linux) that pass read every repository row, about 1.1 KB wide with its title,
-- description, icon and search columns: 30-45 ms for the first count of each such combination at 20,000
-- repositories. A page whose matches are sparse in name order (label=org.flatpak.ref after a cursor in team02/)
-- walked the same wide rows through the name index.
--
-- tagged_repository is what such searches read instead: one narrow row per repository with tags (about 180
-- bytes), its tokens as integer ids of facet_token. Pages walk its name index; counts group its rows once per
-- index generation (api/FacetGroups: 20,000 repositories made 130 groups) and are then counted in memory.
-- It is derived from repository, like an index: a trigger on repository keeps it, so every statement that
-- changes tag_count, the facets or changed_at (the tag triggers' refresh, IndexWriter) changes it in the same
-- transaction, and a deleted repository's row goes with it. facet_token only grows: it holds every token any
-- image ever had (architectures, operating systems, media types, kinds and label keys), each with an id that
-- never changes.

create table facet_token (
  id    int generated always as identity primary key,
  token text collate "C" not null unique
);

create table tagged_repository (
  id            bigint primary key references repository on delete cascade,
  name          text collate "C" not null unique,
  changed_at    timestamptz not null,
  tokens        int[] not null,
  common_tokens int[] not null
);

create index tagged_repository_tokens on tagged_repository using gin (tokens);

-- the ids of tokens, sorted; tokens never stored are left out (no image has them)
create function flagstate_token_ids(tokens text[]) returns int[]
language sql stable strict as $$
  select coalesce(array_agg(t.id order by t.id), '{}') from facet_token t where t.token = any(tokens)
$$;

create function flagstate_repositories_changed() returns trigger
language plpgsql as $$
begin
  -- in token order, so two transactions adding the same new tokens wait for each other instead of deadlocking
  insert into facet_token (token)
  select distinct u.token from changed c cross join unnest(c.facets) u(token) order by 1
  on conflict do nothing;
  delete from tagged_repository t using changed c where t.id = c.id and c.tag_count = 0;
  insert into tagged_repository (id, name, changed_at, tokens, common_tokens)
  select c.id, c.name, c.changed_at, flagstate_token_ids(c.facets), flagstate_token_ids(c.common_facets)
  from changed c where c.tag_count > 0
  on conflict (id) do update
  set changed_at = excluded.changed_at, tokens = excluded.tokens, common_tokens = excluded.common_tokens
  where (tagged_repository.changed_at, tagged_repository.tokens, tagged_repository.common_tokens)
        is distinct from (excluded.changed_at, excluded.tokens, excluded.common_tokens);
  return null;
end
$$;

create trigger repository_updated_keeps_tagged_repository after update on repository
  referencing new table as changed for each statement execute function flagstate_repositories_changed();

insert into facet_token (token) select distinct unnest(facets) from repository order by 1;
insert into tagged_repository (id, name, changed_at, tokens, common_tokens)
select id, name, changed_at, flagstate_token_ids(facets), flagstate_token_ids(common_facets)
from repository where tag_count > 0;

analyze facet_token, tagged_repository;
