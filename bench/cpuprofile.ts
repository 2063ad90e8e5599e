/**
 * Summary of a V8 `.cpuprofile` (from `node --cpu-prof`): self time per function and per
 * package or source folder, and inclusive time of the functions that matter for a request.
 * `node bench/cpuprofile.ts FILE [TOP]` prints it; bench/profile.ts calls `summarise`.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a function lives: `pkg:name` for node_modules, the path under src/ for ours. */
function area(url: string): string {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return url;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `pkg:${nm[1]}`;
  const src = /\/(src|bench)\/(.*)$/.exec(url);
  return src ? `${src[1]}/${src[2]}` : url;
}

const keyOf = (n: ProfileNode) =>
  `${n.callFrame.functionName || '(anonymous)'} ${area(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

const pct = (part: number, total: number) => `${((100 * part) / total).toFixed(1).padStart(5)}%`;

function top(map: Map<string, number>, total: number, n: number): string[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `  ${pct(v, total)} ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`);
}

/**
 * Self time by function and by area, inclusive time by function (each stack counted once).
 * `window` (µs of the monotonic clock, as `process.hrtime.bigint() / 1000n` reads it in any
 * process: V8 stamps samples with the same clock) keeps only the samples taken inside it, e.g.
 * the load of bench/profile.ts without the server's start-up and seeding.
 */
export function summarise(file: string, n = 30, window?: { from: number; to: number }): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const self = new Map<string, number>();
  const selfArea = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    if (window && (at < window.from || at > window.to)) return;
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') {
      idle += dt;
      return;
    }
    total += dt;
    const key = keyOf(node);
    self.set(key, (self.get(key) ?? 0) + dt);
    const a = area(node.callFrame.url);
    selfArea.set(a, (selfArea.get(a) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = keyOf(byId.get(cur)!);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
  });
  const ours = new Map([...inclusive].filter(([k]) => / src\//.test(k) || process.env.PROFILE_ALL));
  return [
    `${file}: ${(total / 1000).toFixed(0)} ms busy, ${(idle / 1000).toFixed(0)} ms idle`,
    'self time by area:',
    ...top(selfArea, total, n),
    'self time by function:',
    ...top(self, total, n),
    `inclusive time, ${process.env.PROFILE_ALL ? 'all' : 'Octavo'} functions:`,
    ...top(ours, total, n),
  ].join('\n');
}

if (import.meta.filename === process.argv[1]) {
  console.log(summarise(process.argv[2]!, Number(process.argv[3] ?? 30)));
}
