/**
 * One process of the SQLite multi-process test: for `ms` milliseconds, transactions that read a
 * counter, yield to the event loop, and write it back plus one. Prints `{ok, failed, errors}`.
 * Usage: node test/e2e/sqlite-writer.ts DATA_DIR MS
 */
import { openStore } from '../../src/store/connect.ts';

const [dir, ms] = process.argv.slice(2);
const store = await openStore({ dataDir: dir! });
const end = Date.now() + Number(ms);
let ok = 0;
let failed = 0;
const errors = new Set<string>();
while (Date.now() < end) {
  try {
    await store.transaction(async (tx) => {
      const value = Number((await tx.meta.get('test_counter')) ?? '0');
      await new Promise((r) => setImmediate(r));
      await tx.meta.set('test_counter', String(value + 1));
    });
    ok++;
  } catch (e) {
    failed++;
    errors.add((e as Error).message);
  }
}
await store.close();
console.log(JSON.stringify({ ok, failed, errors: [...errors] }));
