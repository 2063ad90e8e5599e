-- A tailing consumer's read (store/events-repo.ts): from 100 events before the newest, up to 100.
select seq from events
where (xid, seq) > (select xid, seq from events order by xid desc, seq desc offset 100 limit 1)
  and xid < pg_snapshot_xmin(pg_current_snapshot())
order by xid, seq limit 100;
