-- Search at scale: what a search needs per repository is kept on the repository row, so a search reads
-- one narrow row per match instead of joining every tag, manifest and list member (and decompressing
-- every label set) of the whole index on each request.
--
--   tag_count  how many tags the repository has; only a repository with tags is in search and listing
--              answers ("tag_count > 0" replaces a lookup in tag per repository)
--   facets     the distinct facet values of the images its tags reach (a tagged image, or each member
--              of a tagged list): 'architecture:amd64', 'os:linux', 'label:<config label key>',
--              'mediaType:<media type of the image, and of the list it is in>'; the name before the
--              first ':' is the facet. /api/v1/search counts these and filters on them.
--   name_last_lower  the lower-cased last path component of the name, for the ranking of /v1/search
--
-- tag_count, facets and the repository_image rows are kept current by triggers on tag: every statement that inserts, moves or deletes tags
-- recomputes the two columns of the repositories it touched (manifests and list members are immutable
-- and stored before the tags that point at them, so a tag's change is the only event that changes
-- them). The crawler needs no change; a repository deleted with its tags takes its rows with it.

alter table repository add column tag_count integer not null default 0;
alter table repository add column facets text[] not null default '{}';
alter table repository add column name_last_lower text
  generated always as (lower(regexp_replace(name, '^.*/', ''))) stored;

-- One row per distinct facet-token set of the images a repository's tags reach, so that filters on several
-- facets ("an arm64 image with label L") find the repositories with one image having them all through the GIN
-- index, without reading a manifest.
create table repository_image (
  repository_id bigint not null references repository on delete cascade,
  tokens        text[] not null
);
create index repository_image_repository on repository_image (repository_id);
create index repository_image_tokens on repository_image using gin (tokens);

-- The facet tokens of one image: its architecture and OS, its config label keys, its media type and that
-- of the list it is in (the same as its own for a tagged image).
create function flagstate_image_tokens(tagged_type text, image_type text, os text, architecture text, labels jsonb)
returns text[] language sql immutable as $$
  select array(select distinct token from (
    select 'mediaType:' || tagged_type as token
    union all select 'mediaType:' || image_type
    union all select 'os:' || os where os is not null
    union all select 'architecture:' || architecture where architecture is not null
    union all select 'label:' || key from jsonb_object_keys(coalesce(labels, '{}')) as k(key)) tokens
  order by token)
$$;

create function flagstate_refresh_repositories(ids bigint[]) returns void
language sql as $$
  delete from repository_image where repository_id = any(ids);
  insert into repository_image (repository_id, tokens)
  select distinct e.repository_id, flagstate_image_tokens(e.tagged_type, e.image_type, e.os, e.architecture, e.labels)
  from (select t.repository_id, m.media_type as tagged_type, m.media_type as image_type, m.os, m.architecture,
               m.labels
        from tag t join manifest m on m.digest = t.digest
        where t.repository_id = any(ids) and not m.is_list
        union all
        select t.repository_id, l.media_type, m.media_type, coalesce(m.os, lm.platform_os),
               coalesce(m.architecture, lm.platform_architecture), m.labels
        from tag t join manifest l on l.digest = t.digest and l.is_list
        join list_member lm on lm.list_digest = l.digest
        join manifest m on m.digest = lm.member_digest
        where t.repository_id = any(ids)) e;
  update repository r
  set tag_count = s.tag_count, facets = s.facets
  from (select x.id, (select count(*) from tag t where t.repository_id = x.id)::int as tag_count,
               (select coalesce(array_agg(distinct token order by token), '{}')
                from repository_image i cross join lateral unnest(i.tokens) as u(token)
                where i.repository_id = x.id) as facets
        from (select distinct unnest(ids) as id) x) s
  where r.id = s.id and (r.tag_count, r.facets) is distinct from (s.tag_count, s.facets);
$$;

create function flagstate_tags_added() returns trigger
language plpgsql as $$
begin
  perform flagstate_refresh_repositories(array(select distinct repository_id from added_tags));
  return null;
end
$$;

create function flagstate_tags_removed() returns trigger
language plpgsql as $$
begin
  perform flagstate_refresh_repositories(array(select distinct repository_id from removed_tags));
  return null;
end
$$;

-- a trigger with transition tables takes one event, hence three
create trigger tag_inserted_refreshes_repository after insert on tag
  referencing new table as added_tags for each statement execute function flagstate_tags_added();
create trigger tag_updated_refreshes_repository after update on tag
  referencing new table as added_tags for each statement execute function flagstate_tags_added();
create trigger tag_deleted_refreshes_repository after delete on tag
  referencing old table as removed_tags for each statement execute function flagstate_tags_removed();

select flagstate_refresh_repositories(array(select id from repository));

-- the listing and the empty search walk repositories with tags in name order (bytewise: name is COLLATE "C")
create index repository_listed on repository (name) where tag_count > 0;
-- filters on one facet (architecture=, os=, label=, mediaType=) are an overlap with this array
create index repository_facets on repository using gin (facets);

analyze repository;
