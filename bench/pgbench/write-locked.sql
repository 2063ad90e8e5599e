-- write.sql with the advisory lock the store took before migration 008, held until commit.
begin;
insert into pages values (gen_random_uuid()::text, 'Bench');
select pg_advisory_xact_lock(hashtext(current_schema()), hashtext('octavo.events'));
insert into events (id, type, entity_id, entity_type, data, authors, integration_id, timestamp)
  values (gen_random_uuid()::text, 'page.created', 'p', 'page', '{}', '[]', null, now()::text);
commit;
