/**
 * `node bench/log-path.ts CHECKOUT | cat >/dev/null`: the CPU time of the request log's own path
 * per line — building the per-request entry and writing it to standard output (a pipe) as that
 * checkout's logger does — with PER_TURN lines made in each turn of the event loop (as requests
 * answered together are), 20,000 turns. `process.cpuUsage` counts the threads that write. Run it
 * once per checkout (this one, a clone of main), alternating; an empty loop of turns costs
 * ~1.5–2 µs per turn here, included in every figure. Results: docs/benchmarks.md, "Server CPU per
 * request (issue 12's targets)".
 *
 *   PER_TURN=4
 */
const root = process.argv[2] ?? new URL('..', import.meta.url).pathname;
const { createLogger, rawWriter } = await import(`${root}/src/lib/log.ts`);
const logger = createLogger({ format: 'json', level: 'info' });
const raw = rawWriter?.(logger);
const PER_TURN = Number(process.env.PER_TURN ?? 4);
const TURNS = 20000;
const one = (i: number) => {
  const ms = Math.round(i * 0.37) / 100;
  if (raw)
    raw(
      `{"level":30,"time":${Date.now()},"method":${JSON.stringify('GET')},"route":${JSON.stringify('/v1/pages/:page_id')},"status":200,"ms":${ms},"integration":${JSON.stringify('1c2d3e4f-0000-4000-8000-000000000001')},"request_id":${JSON.stringify('f3c0b1e2-aaaa-4bbb-8ccc-000000000000')},"msg":"request"}\n`,
    );
  else
    logger.info(
      {
        method: 'GET',
        route: '/v1/pages/:page_id',
        status: 200,
        ms,
        integration: '1c2d3e4f-0000-4000-8000-000000000001',
        request_id: 'f3c0b1e2-aaaa-4bbb-8ccc-000000000000',
        failure: undefined,
      },
      'request',
    );
};
const turn = () => new Promise<void>((r) => setImmediate(r));
for (let t = 0; t < 2000; t++) {
  for (let k = 0; k < PER_TURN; k++) one(k);
  await turn();
}
const s = process.cpuUsage();
for (let t = 0; t < TURNS; t++) {
  for (let k = 0; k < PER_TURN; k++) one(k);
  await turn();
}
await new Promise((r) => setTimeout(r, 200));
const e = process.cpuUsage(s);
process.stderr.write(
  `${root}: ${((e.user + e.system) / (TURNS * PER_TURN)).toFixed(2)} µs CPU per line (${PER_TURN} per turn)\n`,
);
