/**
 * The exact bytes of page objects on the wire, pinned: GET /v1/pages/{id} and data-source
 * queries over rows with a value of every common property type (rich text with annotations, a
 * link and a page mention, a Unicode title for the URL slug, options, people, a relation, files,
 * a formula, a rollup), in every Notion-Version, with and without `filter_properties`. Work on
 * the presenters' speed (docs/benchmarks.md, "Server CPU per request") must not change a byte:
 * this compares each body with the one recorded before, ids replaced by their order of first
 * appearance (they are random), the clock fixed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

const NOW = new Date('2026-03-04T05:06:07.000Z');
const VERSIONS = ['2022-06-28', '2025-09-03', '2026-03-11'] as const;

/**
 * Ids (dashed or compact) and the short random ids of properties and options numbered by first
 * appearance; request ids dropped.
 */
function normalise(text: string): string {
  const seen = new Map<string, number>();
  const short = new Map<string, number>();
  return text
    .replace(/"request_id":"[^"]*"/g, '"request_id":"…"')
    .replace(/"id":"([^"]{1,16})"/g, (_, id: string) => {
      if (!short.has(id)) short.set(id, short.size + 1);
      return `"id":"p${short.get(id)}"`;
    })
    .replace(/[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}/g, (id) => {
      const key = id.replaceAll('-', '');
      if (!seen.has(key)) seen.set(key, seen.size + 1);
      return `${id.includes('-') ? 'id' : 'cid'}${seen.get(key)}`;
    });
}

describeEngines('page objects on the wire, byte for byte', (engine) => {
  let h: Harness;
  let dsId = '';
  const rows: string[] = [];
  beforeAll(async () => {
    h = await startHarness(engine, { clock: () => NOW });
    const send = async (path: string, body: unknown, method = 'POST') => {
      const res = await h.request(path, { method, body: JSON.stringify(body) });
      const json = (await res.json()) as Record<string, unknown>;
      if (res.status !== 200) throw new Error(`${path}: ${JSON.stringify(json)}`);
      return json;
    };
    const db = await send('/v1/databases', {
      parent: { type: 'page_id', page_id: h.rootPageId },
      title: [{ type: 'text', text: { content: 'Bytes' } }],
      initial_data_source: {
        properties: {
          Name: { title: {} },
          Notes: { rich_text: {} },
          Amount: { number: { format: 'dollar' } },
          Stage: { select: { options: [{ name: 'Todo', color: 'red' }, { name: 'Done' }] } },
          Tags: { multi_select: { options: [{ name: 'a' }, { name: 'b' }, { name: 'ç' }] } },
          Status: { status: {} },
          Due: { date: {} },
          Done: { checkbox: {} },
          Link: { url: {} },
          Mail: { email: {} },
          Phone: { phone_number: {} },
          Owner: { people: {} },
          Files: { files: {} },
          Created: { created_time: {} },
          Edited: { last_edited_by: {} },
          Double: { formula: { expression: 'prop("Amount") * 2' } },
        },
      },
    });
    dsId = (db.data_sources as { id: string }[])[0]!.id;
    await send(
      `/v1/data_sources/${dsId}`,
      {
        properties: {
          Next: { relation: { data_source_id: dsId, single_property: {} } },
          Count: {
            rollup: { relation_property_name: 'Next', rollup_property_name: 'Amount', function: 'sum' },
          },
        },
      },
      'PATCH',
    );
    const users = (await (await h.request('/v1/users')).json()) as { results: { id: string }[] };
    const person = users.results[0]!.id;
    const titles = ['Plain', 'Ünïcödé — 日本語 ✓', '   ', 'quote " and \\ back\nline'];
    for (const [i, title] of titles.entries()) {
      const page = await send('/v1/pages', {
        parent: { type: 'data_source_id', data_source_id: dsId },
        icon: i === 0 ? { type: 'emoji', emoji: '🚀' } : undefined,
        cover: i === 1 ? { type: 'external', external: { url: 'https://example.com/c.png' } } : undefined,
        properties: {
          Name: { title: [{ type: 'text', text: { content: title } }] },
          Notes: {
            rich_text:
              i === 0
                ? []
                : [
                    {
                      type: 'text',
                      text: { content: `bold ${i}`, link: { url: 'https://example.com/x' } },
                      annotations: { bold: true, color: 'blue_background' },
                    },
                    { type: 'mention', mention: { page: { id: h.rootPageId } } },
                    { type: 'equation', equation: { expression: 'e^{i\\pi}' } },
                  ],
          },
          Amount: i === 2 ? { number: null } : { number: i * 12.5 - 3 },
          Stage: i === 3 ? { select: null } : { select: { name: i % 2 ? 'Done' : 'Todo' } },
          Tags: { multi_select: i === 0 ? [] : [{ name: 'a' }, { name: 'ç' }] },
          Status: { status: { name: i % 2 ? 'In progress' : 'Not started' } },
          Due:
            i === 0
              ? { date: { start: '2025-01-02' } }
              : { date: { start: '2025-01-02T10:00:00.000+02:00', end: '2025-01-03T10:00:00.000+02:00' } },
          Done: { checkbox: i % 2 === 1 },
          Link: { url: i === 2 ? null : `https://example.com/${i}` },
          Mail: { email: 'a@example.com' },
          Phone: { phone_number: '+1 555' },
          Owner: { people: i === 0 ? [] : [{ id: person }] },
          Files: {
            files:
              i === 1
                ? [{ type: 'external', name: 'f.pdf', external: { url: 'https://example.com/f.pdf' } }]
                : [],
          },
          ...(rows.length > 0 ? { Next: { relation: [{ id: rows[0]! }] } } : {}),
        },
      });
      rows.push(page.id as string);
    }
  });
  afterAll(() => h?.close());

  it('GET /v1/pages/{id} and data-source queries answer the recorded bytes', async () => {
    const bodies: string[] = [];
    for (const version of VERSIONS) {
      for (const id of rows) {
        bodies.push(await (await h.request(`/v1/pages/${id}`, { version })).text());
      }
      bodies.push(
        await (
          await h.request(`/v1/pages/${rows[1]}?filter_properties=title&filter_properties=${'%3Anope'}`, {
            version,
          })
        ).text(),
      );
      const path =
        version === '2022-06-28'
          ? `/v1/databases/${(await (await h.request(`/v1/data_sources/${dsId}`)).json()).parent.database_id}/query`
          : `/v1/data_sources/${dsId}/query`;
      for (const body of [
        { sorts: [{ property: 'Amount', direction: 'descending' }] },
        { page_size: 2, sorts: [{ property: 'Amount', direction: 'ascending' }] },
      ]) {
        bodies.push(
          await (await h.request(path, { method: 'POST', version, body: JSON.stringify(body) })).text(),
        );
      }
    }
    await expect(`${bodies.map(normalise).join('\n')}\n`).toMatchFileSnapshot(
      './__snapshots__/wire-bytes.txt', // one file: both engines answer the same bytes
    );
  });
});
