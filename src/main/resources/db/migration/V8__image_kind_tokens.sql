-- The kind of an image (ImageKind: flatpak-app, flatpak-runtime, cockpit-plugin, container-image) becomes one of
-- its facet tokens ('kind:flatpak-app'), beside its architecture, OS, label keys and media types (V6). So
-- /api/v1/search counts the kind facet from repository.facets like the others, a kind filter uses the GIN index
-- repository_facets, and several filters that must hold for one image compare repository_image token sets
-- only; no request reads a manifest.
--
-- A kind also depends on the setting ui.cockpit_label (the label that marks a Cockpit plugin). Its value is kept
-- in index_state; at start Flagstate stores the configured one and, when it changed, recomputes every
-- repository's tokens in the same transaction (db/Migrations).

alter table index_state add column cockpit_label text not null default 'org.cockpit-project.plugin';

-- The rule of ImageKind.of, in SQL: a Cockpit plugin carries the marker label, or appstream data whose component
-- <extends> Cockpit; else org.flatpak.ref 'app/…' is a Flatpak app and 'runtime/…' a runtime; else a container
-- image. ImageKindTokensIT checks that both agree.
create function flagstate_image_kind(labels jsonb, cockpit_label text) returns text
language sql immutable as $$
  select case
    when coalesce(labels, '{}') ? cockpit_label
      or coalesce(labels->>'org.freedesktop.appstream.appdata', '') ~ '<extends>\s*org\.cockpit_project\.cockpit\s*</extends>'
      then 'cockpit-plugin'
    when labels->>'org.flatpak.ref' like 'app/%' then 'flatpak-app'
    when labels->>'org.flatpak.ref' like 'runtime/%' then 'flatpak-runtime'
    else 'container-image' end
$$;

drop function flagstate_image_tokens(text, text, text, text, jsonb);

create function flagstate_image_tokens(tagged_type text, image_type text, os text, architecture text, labels jsonb,
                                       cockpit_label text)
returns text[] language sql immutable as $$
  select array(select distinct token from (
    select 'mediaType:' || tagged_type as token
    union all select 'mediaType:' || image_type
    union all select 'os:' || os where os is not null
    union all select 'architecture:' || architecture where architecture is not null
    union all select 'label:' || key from jsonb_object_keys(coalesce(labels, '{}')) as k(key)
    union all select 'kind:' || flagstate_image_kind(labels, cockpit_label)) tokens
  order by token)
$$;

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
  set tag_count = s.tag_count, facets = s.facets
  from (select x.id, (select count(*) from tag t where t.repository_id = x.id)::int as tag_count,
               (select coalesce(array_agg(distinct token order by token), '{}')
                from repository_image i cross join lateral unnest(i.tokens) as u(token)
                where i.repository_id = x.id) as facets
        from (select distinct unnest(ids) as id) x) s
  where r.id = s.id and (r.tag_count, r.facets) is distinct from (s.tag_count, s.facets);
$$;

select flagstate_refresh_repositories(array(select id from repository));

-- the catalog's Last-Modified is the newest change of any repository
create index repository_changed_at on repository (changed_at);

analyze repository;
analyze repository_image;
