/**
 * The controllable clock and reproducible ids, on both engines: timestamps, relative date filters,
 * formulas’ now() and file-URL expiry follow `POST /_octavo/clock`; the same id seed and clock give
 * the same ids.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OctavoTest } from '../../src/testing/index.ts';
import { describeEngines } from '../helpers/engines.ts';
import { startFor, TOKEN_A } from './fixture.ts';

const HOME = '12121212-1212-4121-8121-121212121212';
const EVENTS = '13131313-1313-4131-8131-131313131313';
const fixture = {
  integrations: [{ name: 'Tests A', token: TOKEN_A }],
  pages: [
    {
      id: HOME,
      title: 'Home',
      shared_with: ['Tests A'],
      databases: [
        {
          title: 'Events',
          data_source_id: EVENTS,
          properties: { Name: { title: {} }, When: { date: {} } },
          rows: [
            {
              properties: {
                Name: { title: [{ text: { content: 'late december' } }] },
                When: { date: { start: '2025-12-28' } },
              },
            },
            {
              properties: {
                Name: { title: [{ text: { content: 'early december' } }] },
                When: { date: { start: '2025-12-01' } },
              },
            },
          ],
        },
      ],
    },
  ],
};

async function setClock(octavo: OctavoTest, body: object) {
  const res = await octavo.admin('/clock', { body });
  expect(res.status).toBe(200);
  return (await res.json()) as { time: string; frozen: boolean };
}

describeEngines('clock', (engine) => {
  let octavo: OctavoTest;
  beforeAll(async () => {
    octavo = await startFor(engine, { clock: '2026-01-01T00:00:00Z', fixture });
  });
  afterAll(() => octavo.close());

  it('stamps writes with the clock, frozen until moved', async () => {
    const notion = octavo.client();
    const home = await notion.pages.retrieve({ page_id: HOME });
    expect('created_time' in home && home.created_time).toBe('2026-01-01T00:00:00.000Z');
    expect(await setClock(octavo, { advance: '90m' })).toEqual({
      object: 'clock',
      time: '2026-01-01T01:30:00.000Z',
      frozen: true,
    });
    const updated = await notion.pages.update({ page_id: HOME, icon: { type: 'emoji', emoji: '⏰' } });
    expect('last_edited_time' in updated && updated.last_edited_time).toBe('2026-01-01T01:30:00.000Z');
    const bad = await octavo.admin('/clock', { body: { advance: 'soon' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'validation_error' });
  });

  it('computes relative date filters from the clock', async () => {
    const notion = octavo.client();
    const names = async () => {
      const res = await notion.dataSources.query({
        data_source_id: EVENTS,
        filter: { property: 'When', date: { past_week: {} } },
      });
      return res.results.map((r) => {
        const title = 'properties' in r ? (r.properties.Name as { title: { plain_text: string }[] }) : null;
        return title?.title[0]?.plain_text;
      });
    };
    await setClock(octavo, { time: '2026-01-01T00:00:00Z' });
    expect(await names()).toEqual(['late december']);
    await setClock(octavo, { time: '2025-12-03T12:00:00Z' });
    expect(await names()).toEqual(['early december']);
    await setClock(octavo, { advance: '60d' });
    expect(await names()).toEqual([]);
  });

  it('lets file URLs expire when the clock passes their expiry_time', async () => {
    await setClock(octavo, { time: '2026-01-01T00:00:00Z' });
    const notion = octavo.client();
    const upload = await notion.fileUploads.create({ filename: 'a.txt', content_type: 'text/plain' });
    await notion.fileUploads.send({
      file_upload_id: upload.id,
      file: { filename: 'a.txt', data: new Blob(['clocked'], { type: 'text/plain' }) },
    });
    const appended = await notion.blocks.children.append({
      block_id: HOME,
      children: [{ type: 'file', file: { type: 'file_upload', file_upload: { id: upload.id } } }],
    });
    const block = appended.results[0] as { file: { file: { url: string; expiry_time: string } } };
    expect(block.file.file.expiry_time).toBe('2026-01-01T01:00:00.000Z');
    const first = await octavo.fetch(block.file.file.url);
    expect(first.status).toBe(200);
    expect(await first.text()).toBe('clocked');
    await setClock(octavo, { advance: '61m' });
    const late = await octavo.fetch(block.file.file.url);
    expect(late.status).toBe(403);
    expect(await late.json()).toMatchObject({ code: 'restricted_resource' });
  });

  it('evaluates formulas’ now() at the clock’s time', async () => {
    const notion = octavo.client();
    await notion.dataSources.update({
      data_source_id: EVENTS,
      properties: { 'Days since': { formula: { expression: 'dateBetween(now(), prop("When"), "days")' } } },
    });
    const days = async () => {
      const res = await notion.dataSources.query({
        data_source_id: EVENTS,
        sorts: [{ property: 'When', direction: 'descending' }],
      });
      return res.results.map((r) => {
        const f = 'properties' in r ? (r.properties['Days since'] as { formula: { number: number } }) : null;
        return f?.formula.number;
      });
    };
    await setClock(octavo, { time: '2026-01-01T00:00:00Z' });
    expect(await days()).toEqual([4, 31]);
    await setClock(octavo, { advance: '10d' });
    expect(await days()).toEqual([14, 41]);
  });

  it('runs again with the system time after release', async () => {
    const shown = await setClock(octavo, { release: true });
    expect(shown.frozen).toBe(false);
    expect(Math.abs(Date.parse(shown.time) - Date.now())).toBeLessThan(5_000);
  });
});

describeEngines('reproducible ids', (engine) => {
  it('gives the same ids for the same seed, clock and sequence of writes', async () => {
    const run = async (seed: string) => {
      const octavo = await startFor(engine, { clock: '2026-01-01T00:00:00Z', idSeed: seed, fixture });
      try {
        const notion = octavo.client();
        const ids: string[] = [];
        for (let i = 0; i < 3; i++) {
          const page = await notion.pages.create({
            parent: { page_id: HOME },
            properties: { title: { title: [{ text: { content: `p${i}` } }] } },
          });
          ids.push(page.id);
        }
        const rows = await notion.dataSources.query({ data_source_id: EVENTS });
        return [...ids, ...rows.results.map((r) => r.id).sort()];
      } finally {
        await octavo.close();
      }
    };
    const a = await run('alpha');
    const b = await run('alpha');
    const c = await run('beta');
    expect(b).toEqual(a);
    expect(new Set(a).size).toBe(a.length);
    expect(c.slice(0, 3)).not.toEqual(a.slice(0, 3));
  });
});
