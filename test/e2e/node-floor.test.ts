/**
 * The Node floor: the command line runs TypeScript sources, so it needs a Node that strips types
 * without a flag. package.json, the README, bin/octavo.js and scripts/node24.sh say the same.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_ENGINES, NODE_FLOOR, nodeSupported } from '../../bin/node-floor.js';
import { BIN } from './cli-process.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(resolve(ROOT, path), 'utf8');
/** The machine's own Node, when it is one too old (Node 20 on the development machines). */
const OLD_NODE = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => existsSync(p));

const run = (node: string, args: string[]) =>
  new Promise<{ code: number; stderr: string }>((done) => {
    execFile(node, args, { timeout: 20_000 }, (err, _stdout, stderr) =>
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr }),
    );
  });

const versionOf = (node: string) =>
  new Promise<string>((done) =>
    execFile(node, ['-p', 'process.versions.node'], (_e, out) => done(out.trim())),
  );

describe('the Node floor', () => {
  it.each([
    ['20.19.0', false],
    ['22.12.0', false],
    ['22.17.1', false],
    ['22.18.0', true],
    ['v22.20.0', true],
    ['23.5.0', false],
    ['23.6.0', true],
    ['24.0.0', true],
    ['26.1.0', true],
  ] as const)('Node %s strips types unflagged: %s', (version, ok) => {
    expect(nodeSupported(version)).toBe(ok);
  });

  it('is what package.json, the README and node24.sh state', () => {
    expect(NODE_FLOOR).toBe('22.18');
    expect(JSON.parse(read('package.json')).engines.node).toBe(NODE_ENGINES);
    expect(read('README.md')).toContain(`Needs Node.js ≥ ${NODE_FLOOR}`);
    expect(read('README.md')).not.toMatch(/22\.12/);
    expect(read('scripts/node24.sh')).toContain('bin/node-floor.js');
  });

  it('lets the running Node through and stops an old one with one message', async (ctx) => {
    expect((await run(process.execPath, [resolve(ROOT, 'bin/node-floor.js')])).code).toBe(0);
    const oldVersion = OLD_NODE ? await versionOf(OLD_NODE) : '';
    if (!OLD_NODE || nodeSupported(oldVersion)) ctx.skip();
    expect((await run(OLD_NODE!, [resolve(ROOT, 'bin/node-floor.js')])).code).toBe(1);
    const r = await run(OLD_NODE!, [BIN, '--help']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`octavo: Node ${oldVersion} is too old; Octavo needs Node >= 22.18 `);
  });
});
