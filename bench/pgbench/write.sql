-- One writing transaction as the store makes it: the change, then its event, then commit.
begin;
insert into pages values (gen_random_uuid()::text, 'Bench');
insert into events (id, type, entity_id, entity_type, data, authors, integration_id, timestamp)
  values (gen_random_uuid()::text, 'page.created', 'p', 'page', '{}', '[]', null, now()::text);
commit;
