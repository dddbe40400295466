-- What /api/v1/search needs to count and filter the kind facet (ImageKind) without reading a manifest: the facts a
-- kind is decided by, as facet tokens of each image beside its architecture, OS, label keys and media types
-- (V6). A kind also depends on ui.cockpit_label, a setting, so the marker label stays a 'label:' token and the
-- query decides (ImageKind.fromTokens):
--
--   flatpak:app        the label org.flatpak.ref starts with 'app/'
--   flatpak:runtime    the label org.flatpak.ref starts with 'runtime/'
--   appstream:cockpit  the label org.freedesktop.appstream.appdata has a component that <extends> Cockpit
--
-- Facets count only the architecture, os, label and mediaType tokens of repository.facets; these three are
-- read from repository_image, per image.

create or replace function flagstate_image_tokens(tagged_type text, image_type text, os text, architecture text, labels jsonb)
returns text[] language sql immutable as $$
  select array(select distinct token from (
    select 'mediaType:' || tagged_type as token
    union all select 'mediaType:' || image_type
    union all select 'os:' || os where os is not null
    union all select 'architecture:' || architecture where architecture is not null
    union all select 'label:' || key from jsonb_object_keys(coalesce(labels, '{}')) as k(key)
    union all select 'flatpak:app' where labels->>'org.flatpak.ref' like 'app/%'
    union all select 'flatpak:runtime' where labels->>'org.flatpak.ref' like 'runtime/%'
    union all select 'appstream:cockpit'
      where coalesce(labels->>'org.freedesktop.appstream.appdata', '') ~ '<extends>\s*org\.cockpit_project\.cockpit\s*</extends>'
  ) tokens order by token)
$$;

select flagstate_refresh_repositories(array(select id from repository));

analyze repository;
analyze repository_image;

-- the catalog's Last-Modified is the newest change of any repository
create index repository_changed_at on repository (changed_at);
