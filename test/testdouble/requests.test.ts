/**
 * The request journal through the admin API, on both engines: what an entry holds (method, path,
 * status, latency, integration, bodies cut at the limit, the token redacted), filters, `after`
 * for following, the size bound, and clearing.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/ops/emulator.ts';
import type { OctavoTest } from '../../src/testing/index.ts';
import { describeEngines } from '../helpers/engines.ts';
import { FIXTURE_YAML, IDS, startFor, TOKEN_A, TOKEN_B } from './fixture.ts';

describeEngines('request journal', (engine) => {
  let octavo: OctavoTest;
  beforeAll(async () => {
    octavo = await startFor(engine, { fixture: FIXTURE_YAML, requestLogSize: 50 });
  });
  afterAll(() => octavo.close());
  beforeEach(async () => {
    await octavo.admin('/requests', { method: 'DELETE' });
  });

  async function journal(query = ''): Promise<JournalEntry[]> {
    const res = await octavo.admin(`/requests${query}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { results: JournalEntry[] }).results;
  }

  it('keeps each request with its answer, integration and latency, the token redacted', async () => {
    const notion = octavo.client({ token: TOKEN_A });
    const page = await notion.pages.create({
      parent: { page_id: IDS.home },
      properties: { title: { title: [{ text: { content: 'journalled' } }] } },
    });
    const [entry] = await journal();
    expect(entry).toMatchObject({
      method: 'POST',
      path: '/v1/pages',
      query: '',
      status: 200,
      integration: { id: IDS.integrationA, name: 'Tests A' },
      authorization: 'Bearer ntn_test…',
      fault: null,
    });
    expect(entry!.latency_ms).toBeGreaterThan(0);
    expect(JSON.parse(entry!.request_body!)).toMatchObject({ parent: { page_id: IDS.home } });
    expect(JSON.parse(entry!.response_body!)).toMatchObject({ id: page.id, object: 'page' });
    expect(JSON.stringify(await journal())).not.toContain(TOKEN_A);
  });

  it('filters by integration (name or id) and status or status class; lists after a sequence number', async () => {
    await octavo.client({ token: TOKEN_A }).users.me({});
    await octavo
      .client({ token: TOKEN_B, retries: 0 })
      .pages.retrieve({ page_id: '99999999-9999-4999-8999-999999999999' })
      .catch(() => {});
    await octavo.fetch(`${octavo.baseUrl}/v1/users/me`, { headers: { 'notion-version': '2025-09-03' } });
    const all = await journal();
    expect(all.map((e) => e.status)).toEqual([200, 404, 401]);
    expect(all[2]!.integration).toBeNull();
    expect((await journal('?integration=Tests%20B')).map((e) => e.status)).toEqual([404]);
    expect((await journal(`?integration=${IDS.integrationA}`)).map((e) => e.status)).toEqual([200]);
    expect((await journal('?status=4xx')).map((e) => e.status)).toEqual([404, 401]);
    expect((await journal('?status=401')).map((e) => e.status)).toEqual([401]);
    expect((await journal(`?after=${all[0]!.seq}`)).map((e) => e.status)).toEqual([404, 401]);
    expect((await journal('?limit=1')).map((e) => e.status)).toEqual([401]);
    for (const bad of ['?status=teapot', '?limit=-1', '?after=x']) {
      const res = await octavo.admin(`/requests${bad}`);
      expect(res.status).toBe(400);
    }
  });

  it('cuts bodies at the limit and keeps only the last N requests', async () => {
    const notion = octavo.client({ token: TOKEN_A });
    const long = 'x'.repeat(1900);
    await notion.blocks.children.append({
      block_id: IDS.home,
      children: Array.from({ length: 12 }, () => ({
        paragraph: { rich_text: [{ text: { content: long } }] },
      })),
    });
    const [entry] = await journal();
    expect(entry!.request_body!.length).toBeLessThan(16 * 1024 + 40);
    expect(entry!.request_body).toMatch(/… \(\d+ characters\)$/);
    for (let i = 0; i < 60; i++) await notion.users.me({});
    const kept = await journal();
    expect(kept).toHaveLength(50);
    expect(kept.every((e) => e.path === '/v1/users/me')).toBe(true);
    expect(kept.at(-1)!.seq - kept[0]!.seq).toBe(49);
  });
});
