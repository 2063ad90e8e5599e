/**
 * What a script run costs before the script does anything: fork of the child under the
 * permission model, loading the SDK and the script, one /v1 request bridged over IPC, the result
 * back. Runs a trivial script N times in a row through runInSandbox (the /v1 request answered by
 * a stub, so only the sandbox is measured) and prints wall-time percentiles and the children's
 * CPU time (user + system, from /proc of this process's reaped children).
 *
 *   node bench/script-run.ts [N]     (N default 20)
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInSandbox } from '../src/automations/scripts.ts';

const n = Number(process.argv[2] ?? 20);
const dir = mkdtempSync(join(tmpdir(), 'octavo-script-bench-'));
const file = join(dir, 'trivial.ts');
writeFileSync(
  file,
  'export default async ({ notion }: { notion: any }) => (await notion.users.me({})).name;\n',
);
const deps = {
  store: null as never,
  baseUrl: 'http://octavo.local',
  limits: { timeoutMs: 30_000, memoryMb: 128 },
  api: async () =>
    new Response(JSON.stringify({ object: 'user', id: 'u', type: 'bot', name: 'bench', bot: {} }), {
      headers: { 'content-type': 'application/json' },
    }),
};
/** CPU seconds of reaped children (fields cutime + cstime of /proc/self/stat, in clock ticks). */
const childCpu = () => {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
};
const times: number[] = [];
const cpu0 = childCpu();
for (let i = 0; i < n; i++) {
  const t0 = performance.now();
  const r = await runInSandbox(deps, { file, input: {}, token: 'ntn_x', limits: deps.limits });
  if (!r.ok) throw new Error(`run failed: ${r.error}`);
  times.push(performance.now() - t0);
}
const cpu = (childCpu() - cpu0) / n;
times.sort((a, b) => a - b);
const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(0);
console.log(
  `${n} runs: wall p50 ${at(0.5)} ms, p95 ${at(0.95)} ms; child CPU ${(cpu * 1000).toFixed(0)} ms per run`,
);
