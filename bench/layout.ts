/**
 * The storage-layout experiment behind docs/ARCHITECTURE.md ("Data-source rows"): the same rows
 * stored as one JSON document per page versus typed, indexed columns, on SQLite, queried with
 * `number > x AND select = y ORDER BY date LIMIT 100`, a title `contains`, and a deep keyset page.
 *
 *   node bench/layout.ts [rows]      (default 100000)
 */
import Database from 'better-sqlite3';

const N = Number(process.argv[2] ?? 100_000);
const OPTIONS = ['Backlog', 'Todo', 'Doing', 'Review', 'Done'];
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];

function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

function time<T>(label: string, runs: number, fn: () => T): void {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const p = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!.toFixed(2);
  console.log(`${label.padEnd(44)} p50 ${p(0.5).padStart(8)} ms   p99 ${p(0.99).padStart(8)} ms`);
}

const db = new Database(':memory:');
db.exec(`
  create table doc (id text primary key, props text not null);
  create table typed (id text primary key, title text, num double precision, sel text, due double precision);
  create index typed_due on typed (due, id);
  create index typed_num on typed (num, id);
  create index typed_sel on typed (sel, id);
`);
const rand = rng(42);
const insDoc = db.prepare('insert into doc values (?, ?)');
const insTyped = db.prepare('insert into typed values (?, ?, ?, ?, ?)');
const t0 = performance.now();
db.transaction(() => {
  for (let i = 0; i < N; i++) {
    const id = i.toString(16).padStart(32, '0');
    const title = `${WORDS[Math.floor(rand() * 8)]} ${WORDS[Math.floor(rand() * 8)]} ${i}`;
    const num = Math.floor(rand() * 1000);
    const sel = OPTIONS[Math.floor(rand() * 5)]!;
    const due = Date.UTC(2024, 0, 1) + Math.floor(rand() * 730) * 86_400_000;
    insDoc.run(id, JSON.stringify({ title, num, sel, due }));
    insTyped.run(id, title.toLowerCase(), num, sel, due);
  }
})();
console.log(`${N} rows loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s (both layouts)\n`);

const docFilter = db.prepare(
  `select id from doc where json_extract(props, '$.num') > ? and json_extract(props, '$.sel') = ?
   order by json_extract(props, '$.due'), id limit 100`,
);
const typedFilter = db.prepare('select id from typed where num > ? and sel = ? order by due, id limit 100');
time('JSON document: filter + sort, first page', 5, () => docFilter.all(500, 'Doing'));
time('typed columns: filter + sort, first page', 50, () => typedFilter.all(500, 'Doing'));
// Unary `+` keeps SQLite from using the filter columns' indexes, so it walks the sort index.
const typedWalk = db.prepare('select id from typed where +num > ? and +sel = ? order by due, id limit 100');
time('typed columns: same, walking the date index', 50, () => typedWalk.all(500, 'Doing'));

const docContains = db.prepare(
  `select id from doc where instr(lower(json_extract(props, '$.title')), ?) > 0 limit 100`,
);
const typedContains = db.prepare('select id from typed where instr(title, ?) > 0 limit 100');
time('JSON document: title contains', 5, () => docContains.all('hotel golf'));
time('typed columns: title contains', 20, () => typedContains.all('hotel golf'));

const anchor = db
  .prepare('select due, id from typed order by due, id limit 1 offset ?')
  .get(Math.floor(N / 2)) as {
  due: number;
  id: string;
};
const keyset = db.prepare('select id from typed where (due, id) > (?, ?) order by due, id limit 100');
const keysetOr = db.prepare(
  'select id from typed where (due > ? or (due = ? and id > ?)) order by due, id limit 100',
);
const offset = db.prepare('select id from typed order by due, id limit 100 offset ?');
time('typed columns: page at N/2, keyset (row value)', 50, () => keyset.all(anchor.due, anchor.id));
time('typed columns: page at N/2, keyset (or-expanded)', 50, () =>
  keysetOr.all(anchor.due, anchor.due, anchor.id),
);
time('typed columns: page at N/2 by OFFSET', 10, () => offset.all(Math.floor(N / 2)));
