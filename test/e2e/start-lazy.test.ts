/**
 * `octavo serve --memory` starts without the libraries only some requests or settings need (issue
 * 11: in-memory start to first answer): no Postgres driver or pg-boss without a postgres URL, no
 * prom-client without OCTAVO_METRICS, no YAML parser without a YAML fixture, no markdown parser
 * until a request carries markdown, no SMTP client until an email is sent (cron-parser is
 * needed at start: automations schedule a tick).
 * The real command as a child process, with a preloaded hook (module-log.mjs) recording every
 * package it loads.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@notionhq/client';
import { afterAll, describe, expect, it } from 'vitest';
import { cliEnv, startServe } from './cli-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'octavo-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hook = resolve(import.meta.dirname, 'module-log.mjs');

const LAZY = [
  'pg',
  'pg-boss',
  'prom-client',
  'yaml',
  'micromark',
  'mdast-util-from-markdown',
  'mdast-util-to-markdown',
  'nodemailer',
];

function start(log: string, extra: Record<string, string> = {}) {
  return startServe(
    ['--memory', '--port', '0', '--rate-limit', 'off'],
    cliEnv({
      NODE_OPTIONS: `--import ${hook}`,
      OCTAVO_TEST_MODULE_LOG: log,
      OCTAVO_LOG_LEVEL: 'error',
      ...extra,
    }),
  );
}
const loaded = (log: string) => new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean));

describe('octavo serve --memory', () => {
  it('answers its first request without the optional libraries; markdown loads its parsers when used', {
    timeout: 60_000,
  }, async () => {
    const log = join(dir, 'memory.log');
    const serve = await start(log);
    try {
      const notion = new Client({ auth: serve.token!, baseUrl: serve.url });
      expect((await notion.users.me({})).type).toBe('bot');
      const first = loaded(log);
      expect(first).toContain('kysely'); // the hook works: the storage layer is there
      for (const name of LAZY) expect(first, name).not.toContain(name);

      // A page written in markdown and read back as markdown: the parsers load then, and work.
      const page = await notion.pages.create({
        parent: { page_id: serve.pageId },
        properties: { title: { title: [{ text: { content: 'Lazy' } }] } },
        markdown: '## Hello\n\nSome **bold** text.',
      });
      const md = await notion.pages.retrieveMarkdown({ page_id: page.id });
      expect(md.markdown).toContain('## Hello');
      expect(md.markdown).toContain('**bold**');
      const after = loaded(log);
      expect(after).toContain('mdast-util-from-markdown');
      expect(after).toContain('mdast-util-to-markdown');
      expect(after).not.toContain('pg');
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  });

  it('loads prom-client when OCTAVO_METRICS is on, and serves /metrics', { timeout: 60_000 }, async () => {
    const log = join(dir, 'metrics.log');
    const serve = await start(log, { OCTAVO_METRICS: '1' });
    try {
      const res = await fetch(`${serve.url}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('octavo_http_requests_total');
      expect(loaded(log)).toContain('prom-client');
    } finally {
      await serve.stop();
    }
  });
});
