/**
 * The published form, as a user gets it: `npm pack` builds the compiled JavaScript and its
 * declarations (prepack), and the tarball is installed once into an empty project outside the
 * repository together with `@notionhq/client`, Vitest, Jest and `@types/node` (the versions this
 * repository's lockfile has, so npm finds them in its cache). There:
 * - the compiled `octavo` runs from node_modules (where Node strips no types): --version, a server
 *   on a data folder, and `npx octavo serve --memory --fixture …` answering the official client;
 * - a user's `node:test` file imports `octavo/testing` from the package (in-process Octavo, a
 *   fixture, SDK calls, seeding, a rewind between tests, a fault rule);
 * - a user's Jest file does the same in ES module mode (`NODE_OPTIONS=--experimental-vm-modules
 *   npx jest`, as the README says: `octavo/testing` is an ES module only);
 * - the README's example test, cut out of README.md, runs as written under the user's Vitest;
 * - `tsc` type-checks those test files against the package's declarations (no skipLibCheck);
 * - the pytest recipe runs on `npx octavo` where pytest is installed.
 * About 40 s of CPU, some 6 s of it Jest's (a build, a real install, then the checks side by side;
 * 1.5–2 minutes of wall time at a load average of 14 to 18 on the 2-core machine).
 * Runs under CI=true or OCTAVO_TEST_PACKAGE=1.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client, isFullPage } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv } from './cli-process.ts';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'task-digest');
const run = process.env.CI === 'true' || process.env.OCTAVO_TEST_PACKAGE === '1';
if (!run)
  console.warn(
    '[octavo tests] npm pack + install test SKIPPED (set OCTAVO_TEST_PACKAGE=1; runs under CI=true).',
  );

const versionOf = (pkg: string) =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string })
    .version;

/** The README's first TypeScript example in "Testing your integration against Octavo". */
function readmeExample(readme: string): string {
  const section = readme.slice(readme.indexOf('## Testing your integration against Octavo'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('no ```ts block in the README section');
  return block[1]!;
}

function havePytest(): boolean {
  try {
    execFileSync('python3', ['-m', 'pytest', '--version'], { stdio: 'ignore' });
    return true;
  } catch {
    if (run)
      console.warn('[octavo tests] python3 -m pytest not available: the packed pytest recipe is SKIPPED.');
    return false;
  }
}

/** The environment of the user's commands: plain text output (no colours to match around). */
function plainEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = cliEnv({ NO_COLOR: '1', ...extra });
  delete env.FORCE_COLOR;
  return env;
}

/** Runs a command in the user's project to its end; never throws (the output says why). */
function inApp(cwd: string, cmd: string, args: string[], env = plainEnv()) {
  return new Promise<{ code: number; out: string }>((done) =>
    execFile(cmd, args, { cwd, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      done({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr }),
    ),
  );
}

/** Starts a server (its own process group, so that npx and the server under it stop together). */
function startBanner(cmd: string, args: string[], cwd: string) {
  const child = spawn(cmd, args, {
    cwd,
    env: cliEnv({ OCTAVO_LOG_LEVEL: 'warn' }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const banner = new Promise<string>((done, fail) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('Try it:')) done(out);
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.once('exit', (code) => fail(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out}`)));
  });
  return { child, banner };
}

/** Processes whose command line names `dir` (Linux /proc): none may outlive the tests. */
function processesIn(dir: string): string[] {
  if (!existsSync('/proc/self/cmdline')) return [];
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmd.includes(dir)) found.push(`${pid} ${cmd}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

async function stopGroup(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
}

// The checks after the install are independent: they run side by side (each in its own processes).
/** The browser app's bundle as `npm pack` (prepack) built it. */
const webManifest = () =>
  JSON.parse(readFileSync(join(ROOT, 'dist-web', 'manifest.json'), 'utf8')) as { script: string };

describe.runIf(run)('the npm package', { concurrent: true, timeout: 180_000 }, () => {
  let dir = '';
  let app = '';
  let files: string[] = [];
  afterAll(() => {
    if (!dir) return;
    // Every server started here (npx's child included, and the pytest recipe's) has stopped.
    const left = processesIn(dir);
    rmSync(dir, { recursive: true, force: true });
    expect(left).toEqual([]);
  });
  const npm = (args: string[], cwd: string) =>
    exec('npm', [...args, '--no-audit', '--no-fund'], { cwd, env: process.env, maxBuffer: 64 * 1024 * 1024 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'octavo-pack-'));
    app = join(dir, 'app');
    const packed = await npm(['pack', '--json', '--pack-destination', dir], ROOT);
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as {
      filename: string;
      files: { path: string }[];
    }[];
    files = info!.files.map((f) => f.path);
    mkdirSync(join(app, 'test'), { recursive: true });
    mkdirSync(join(app, 'src'));
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'my-integration', private: true, type: 'module' }),
    );
    await npm(
      [
        'install',
        '--prefer-offline',
        join(dir, info!.filename),
        `@notionhq/client@${versionOf('@notionhq/client')}`,
        `vitest@${versionOf('vitest')}`,
        `jest@${versionOf('jest')}`,
        `@types/node@${versionOf('@types/node')}`,
      ],
      app,
    );
    // The user's integration, fixture and tests (the README's example as it is printed).
    copyFileSync(join(EXAMPLE, 'digest.ts'), join(app, 'src', 'digest.ts'));
    copyFileSync(join(EXAMPLE, 'fixture.yaml'), join(app, 'test', 'fixture.yaml'));
    writeFileSync(
      join(app, 'test', 'readme.test.ts'),
      readmeExample(readFileSync(join(ROOT, 'README.md'), 'utf8')),
    );
    copyFileSync(
      join(import.meta.dirname, 'package-user', 'octavo.node-test.ts'),
      join(app, 'test', 'octavo.node-test.ts'),
    );
    copyFileSync(
      join(import.meta.dirname, 'package-user', 'octavo.jest.test.js'),
      join(app, 'test', 'octavo.jest.test.js'),
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2022',
          module: 'nodenext',
          strict: true,
          noEmit: true,
          allowImportingTsExtensions: true,
          types: ['node'],
          skipLibCheck: false,
        },
        include: ['src', 'test'],
      }),
    );
  }, 240_000);

  it('holds the compiled code and the helper’s declarations, no sources', () => {
    expect(files).toContain('dist/cli/main.js');
    expect(files).toContain('bin/octavo.js');
    expect(files).toContain('dist/testing/index.js');
    expect(files).toContain('dist/testing/index.d.ts');
    expect(files.some((p) => p.startsWith('src/') || p.startsWith('test/'))).toBe(false);
    // The browser app ships built (its sources and build tools are not in the package).
    expect(files).toContain('dist-web/manifest.json');
    expect(files).toContain(`dist-web/${webManifest().script}`);
  });

  it('runs the compiled octavo: --version and a server on a data folder', async () => {
    const bin = join(app, 'node_modules', 'octavo', 'bin', 'octavo.js');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const version = await exec(process.execPath, [bin, '--version'], { env: cliEnv() });
    expect(version.stdout).toBe(`octavo ${pkg.version} (Node ${process.versions.node})\n`);

    const { child, banner } = startBanner(
      process.execPath,
      [bin, 'serve', '--port', '0', '--data', join(dir, 'data')],
      app,
    );
    try {
      const out = await banner;
      const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
      const token = /token:\s+(ntn_\w+)/.exec(out)![1]!;
      const me = await fetch(`${url}/v1/users/me`, {
        headers: { authorization: `Bearer ${token}`, 'notion-version': '2025-09-03' },
      });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { type: string }).type).toBe('bot');
      const doc = (await (await fetch(`${url}/v1/openapi.json`)).json()) as { info: { version: string } };
      expect(doc.info.version).toBe(pkg.version);
      // A script runs from the installed package: the compiled sandbox child, the SDK found
      // beside it under node_modules, a TypeScript script outside node_modules.
      const script = join(app, 'who.ts');
      writeFileSync(
        script,
        "import type { Client } from '@notionhq/client';\nexport default async ({ notion }: { notion: Client }) => (await notion.users.me({})).name;\n",
      );
      const ran = await exec(
        process.execPath,
        [bin, 'script', 'run', script, '--data', join(dir, 'data'), '--json'],
        {
          env: cliEnv(),
        },
      );
      expect(JSON.parse(ran.stdout)).toMatchObject({ status: 'succeeded', output: 'script: who' });
      const web = await fetch(`${url}/app`, { redirect: 'manual' });
      expect(web.headers.get('location')).toBe('/sign-in?next=%2Fapp');
      const bundle = await fetch(`${url}/assets/${webManifest().script}`);
      expect(bundle.status).toBe(200);
      expect(bundle.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    } finally {
      await stopGroup(child);
    }
  });

  it('npx octavo serve --memory --fixture answers the official client, and snapshots through the admin API', async () => {
    const { child, banner } = startBanner(
      'npx',
      ['octavo', 'serve', '--memory', '--port', '0', '--rate-limit', 'off', '--fixture', 'test/fixture.yaml'],
      app,
    );
    try {
      const out = await banner;
      expect(out).toContain('SQLite in :memory:');
      const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
      const admin = /admin:\s+(oat_\w+)/.exec(out)![1]!;
      const adminApi = (path: string, body: unknown) =>
        fetch(`${url}/_octavo${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const notion = new Client({ auth: 'ntn_digestbot0000000000000000000000', baseUrl: url });
      const tasks = { data_source_id: '0a0a0a0a-0000-4000-8000-000000000002' };
      expect((await notion.users.me({})).name).toBe('Digest bot');
      expect((await adminApi('/snapshots', { name: 'base' })).status).toBe(200);
      const row = (await notion.dataSources.query(tasks)).results.filter(isFullPage)[0]!;
      await notion.pages.update({ page_id: row.id, in_trash: true });
      expect((await notion.dataSources.query(tasks)).results).toHaveLength(2);
      expect((await adminApi('/snapshots/base/restore', {})).status).toBe(200);
      expect((await notion.dataSources.query(tasks)).results).toHaveLength(3);
    } finally {
      await stopGroup(child);
    }
  });

  it('a user’s node:test suite on `octavo/testing`: fixture, SDK calls, seed, rewind, a fault', async () => {
    const result = await inApp(app, process.execPath, ['--test', 'test/octavo.node-test.ts']);
    expect(result.out).toMatch(/\bpass 5\b/);
    expect(result.out).toMatch(/\bfail 0\b/);
    expect(result.code).toBe(0);
  });

  it('the README’s example test runs as written under the user’s Vitest', async () => {
    const result = await inApp(app, process.execPath, [
      join(app, 'node_modules', 'vitest', 'vitest.mjs'),
      'run',
      'test/readme.test.ts',
    ]);
    expect(result.out).toMatch(/Tests\s+1 passed/);
    expect(result.code).toBe(0);
  });

  it('a user’s Jest suite (ES modules, as the README says to run it) on `octavo/testing`', async () => {
    const result = await inApp(
      app,
      'npx',
      ['jest', '--ci', '--cacheDirectory', join(dir, 'jest-cache'), 'test/octavo.jest.test.js'],
      plainEnv({ NODE_OPTIONS: '--experimental-vm-modules' }),
    );
    expect(result.out).toMatch(/Tests:\s+3 passed, 3 total/);
    expect(result.out).not.toContain('did not exit');
    expect(result.code).toBe(0);
  });

  it('type-checks the user’s tests against the package’s declarations', async () => {
    const result = await inApp(app, process.execPath, [
      join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      '.',
    ]);
    expect(result.out).toBe('');
    expect(result.code).toBe(0);
  });

  it.runIf(havePytest())('the pytest recipe runs on the installed `npx octavo`', async () => {
    const env = plainEnv({ OCTAVO_CMD: 'npx octavo' });
    const result = await inApp(
      app,
      'python3',
      ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', join(ROOT, 'examples', 'pytest')],
      env,
    );
    expect(result.out).toMatch(/3 passed/);
    expect(result.code).toBe(0);
  });
});
