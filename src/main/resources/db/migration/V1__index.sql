-- The index: what the registry holds, as of the last applied crawl or event.
-- Manifests are content-addressed and immutable, so they are stored once per digest and shared by
-- every repository that tags them; tags are what belongs to a repository.

create table repository (
  id   bigint generated always as identity primary key,
  name text collate "C" not null unique
);

create table manifest (
  digest        text primary key,
  media_type    text not null,
  is_list       boolean not null,
  size          bigint not null,
  config_digest text,
  os            text,
  architecture  text,
  variant       text,
  created       text,
  labels        jsonb not null default '{}',
  annotations   jsonb not null default '{}',
  stored_at     timestamptz not null default now()
);
create index manifest_labels on manifest using gin (labels);
create index manifest_annotations on manifest using gin (annotations);

-- Members of a manifest list / OCI index, in manifest order, with the platform the list claims.
create table list_member (
  list_digest           text not null references manifest on delete cascade,
  position              int not null,
  member_digest         text not null references manifest,
  platform_os           text,
  platform_architecture text,
  platform_variant      text,
  primary key (list_digest, position)
);
create index list_member_member on list_member (member_digest);

create table tag (
  repository_id bigint not null references repository on delete cascade,
  name          text collate "C" not null,
  digest        text not null references manifest,
  updated_at    timestamptz not null default now(),
  primary key (repository_id, name)
);
create index tag_digest on tag (digest);

-- Digests seen and deliberately not indexed (schema1, artifacts, nested indexes, ...), so that each
-- digest is fetched once, ever.
create table skipped_manifest (
  digest     text primary key,
  repository text not null,
  reason     text not null,
  skipped_at timestamptz not null default now()
);
