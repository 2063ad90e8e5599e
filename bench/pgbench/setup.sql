-- The outbox alone, as migrations 007 and 008 leave it on Postgres, in a scratch schema
-- (docs/benchmarks.md, "Change events"). Run with: psql -v schema=NAME -f setup.sql
create schema :schema;
set search_path = :schema;
create table events (
  seq bigint generated always as identity primary key,
  id text not null unique,
  type text not null,
  entity_id text not null,
  entity_type text not null,
  data text not null,
  authors text not null,
  integration_id text,
  timestamp text not null,
  xid xid8 not null default pg_current_xact_id()
);
create index events_order on events (xid, seq);
create table pages (id text primary key, title text not null);
