-- Last-Modified comes from the data, so that it is the same on every node and after cache eviction: a
-- response was last modified when the newest of the repositories it shows last changed (a tag added,
-- moved or removed), or when a repository last left the index (a response can change by losing one).
alter table repository add column changed_at timestamptz not null default now();
update repository r set changed_at = coalesce((select max(t.updated_at) from tag t where t.repository_id = r.id),
                                              changed_at);

create table index_state (
  singleton       boolean primary key default true check (singleton),
  last_removal_at timestamptz not null default now()
);
insert into index_state default values;
