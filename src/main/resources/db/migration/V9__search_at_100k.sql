-- Search at 100,000 images: two costs that grew with every repository.
--
-- 1. Filters on two or more facets must hold together for one image of a repository (/api/v1/search: "an arm64
-- image with label L"). Checking that reads repository_image once per candidate repository, which at 20,000
-- repositories was a third of a filtered search's time, although for most repositories it cannot fail: their
-- images differ in one facet at most (a multi-arch list differs in architecture only).
--
--   common_facets  the tokens every image of the repository has (the intersection of its repository_image
--                  token sets; equal to facets when they all agree)
--
-- If every filter but at most one is met by a common token, every image meets those, and the one left is met by
-- some image (the repository's facets overlap it), so that image meets them all: no repository_image lookup is
-- needed. Only repositories whose images differ in two or more of the filtered facets are checked image by image.

alter table repository add column common_facets text[] not null default '{}';

create or replace function flagstate_refresh_repositories(ids bigint[]) returns void
language sql as $$
  delete from repository_image where repository_id = any(ids);
  insert into repository_image (repository_id, tokens)
  select distinct e.repository_id,
         flagstate_image_tokens(e.tagged_type, e.image_type, e.os, e.architecture, e.labels, s.cockpit_label)
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
        where t.repository_id = any(ids)) e
  cross join index_state s;
  update repository r
  set tag_count = s.tag_count, facets = s.facets, common_facets = s.common_facets
  from (select x.id, (select count(*) from tag t where t.repository_id = x.id)::int as tag_count,
               coalesce(f.facets, '{}') as facets, coalesce(f.common_facets, '{}') as common_facets
        from (select distinct unnest(ids) as id) x
        -- repository_image holds distinct token sets, so a token in as many of them as there are is in all
        left join lateral (
          select array_agg(c.token order by c.token) as facets,
                 coalesce(array_agg(c.token order by c.token) filter (where c.n = c.sets), '{}') as common_facets
          from (select u.token, count(*) as n, (select count(*) from repository_image j where j.repository_id = x.id) as sets
                from repository_image i cross join lateral unnest(i.tokens) as u(token)
                where i.repository_id = x.id group by u.token) c) f on true) s
  where r.id = s.id
    and (r.tag_count, r.facets, r.common_facets) is distinct from (s.tag_count, s.facets, s.common_facets);
$$;

select flagstate_refresh_repositories(array(select id from repository));

-- 2. A search text matches a name containing it (RepositoryMatch). The trigram index on lower(name) finds names
-- containing three characters or more; for two, pg_trgm has no trigram to look up, so every name of the index was
-- read and compared (half of a two-letter search's time at 20,000 repositories). The distinct two-character
-- substrings of a lower-cased name make such a match an index lookup too: lower(name) contains 'me' exactly when
-- they include 'me'. They are stored, not only indexed, because where the planner reads every row anyway (a text
-- most names contain) computing them again per row cost ten times the rest of the search.
create function flagstate_name_bigrams(lower_name text) returns text[]
language sql immutable strict parallel safe as $$
  select coalesce(array_agg(distinct substr(lower_name, i, 2)), '{}')
  from generate_series(1, length(lower_name) - 1) i
$$;

alter table repository add column name_bigrams text[] generated always as (flagstate_name_bigrams(lower(name))) stored;

create index repository_name_bigrams on repository using gin (name_bigrams);

analyze repository;
