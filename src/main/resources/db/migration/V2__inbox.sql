-- Registry notifications, stored before the webhook answers 2xx and applied by the crawler in order
-- per repository. A row is marked applied in the same transaction that applies it.
create table inbox (
  seq          bigint generated always as identity primary key,
  event_id     text not null unique,
  repository   text collate "C" not null,
  action       text not null check (action in ('push', 'delete')),
  digest       text,
  tag          text,
  media_type   text,
  occurred_at  text,
  received_at  timestamptz not null default now(),
  applied_at   timestamptz,
  check (digest is not null or tag is not null)
);
create index inbox_pending on inbox (seq) where applied_at is null;
create index inbox_applied on inbox (applied_at) where applied_at is not null;
