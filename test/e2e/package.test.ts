/**
 * The published form: `npm pack` builds the compiled JavaScript (prepack), the tarball is
 * installed into an empty folder from the registry like any package, and its `octavo` runs from
 * node_modules (where Node strips no types): --version, then a server that answers.
 * About a minute (a build and a real install): runs under CI=true or OCTAVO_TEST_PACKAGE=1.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { cliEnv } from './cli-process.ts';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const run = process.env.CI === 'true' || process.env.OCTAVO_TEST_PACKAGE === '1';
if (!run)
  console.warn(
    '[octavo tests] npm pack + install test SKIPPED (set OCTAVO_TEST_PACKAGE=1; runs under CI=true).',
  );

describe.runIf(run)('the npm package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'octavo-pack-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const npm = (args: string[], cwd: string) =>
    exec('npm', [...args, '--no-audit', '--no-fund'], { cwd, env: process.env, maxBuffer: 64 * 1024 * 1024 });

  it('installs from its tarball and runs the compiled octavo: --version and a server', {
    timeout: 240_000,
  }, async () => {
    const packed = await npm(['pack', '--json', '--pack-destination', dir], ROOT);
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as {
      filename: string;
      files: { path: string }[];
    }[];
    const paths = info!.files.map((f) => f.path);
    expect(paths).toContain('dist/cli/main.js');
    expect(paths).toContain('bin/octavo.js');
    expect(paths.some((p) => p.startsWith('src/') || p.startsWith('test/'))).toBe(false);
    // The browser app ships built (its sources and build tools are not in the package).
    expect(paths).toContain('dist-web/manifest.json');
    const manifest = JSON.parse(readFileSync(join(ROOT, 'dist-web', 'manifest.json'), 'utf8')) as {
      script: string;
    };
    expect(paths).toContain(`dist-web/${manifest.script}`);

    const app = join(dir, 'app');
    await exec('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'try-octavo', private: true }));
    await npm(['install', join(dir, info!.filename)], app);
    const bin = join(app, 'node_modules', 'octavo', 'bin', 'octavo.js');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const version = await exec(process.execPath, [bin, '--version'], { env: cliEnv() });
    expect(version.stdout).toBe(`octavo ${pkg.version} (Node ${process.versions.node})\n`);

    const data = join(dir, 'data');
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data', data], {
      env: cliEnv({ OCTAVO_LOG_LEVEL: 'warn' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      await new Promise<void>((done, fail) => {
        child.stdout.on('data', (d) => {
          out += d;
          if (out.includes('Try it:')) done();
        });
        child.stderr.on('data', (d) => {
          out += d;
        });
        child.once('exit', (code) => fail(new Error(`serve exited ${code}: ${out}`)));
      });
      const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
      const token = /token:\s+(ntn_\w+)/.exec(out)![1]!;
      const me = await fetch(`${url}/v1/users/me`, {
        headers: { authorization: `Bearer ${token}`, 'notion-version': '2025-09-03' },
      });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { type: string }).type).toBe('bot');
      const doc = (await (await fetch(`${url}/v1/openapi.json`)).json()) as { info: { version: string } };
      expect(doc.info.version).toBe(pkg.version);
      const app = await fetch(`${url}/app`, { redirect: 'manual' });
      expect(app.headers.get('location')).toBe('/sign-in?next=%2Fapp');
      const script = await fetch(`${url}/assets/${manifest.script}`);
      expect(script.status).toBe(200);
      expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
