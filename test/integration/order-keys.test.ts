/**
 * Sibling order keys stay short through the API: long runs of appends at the end, at the start
 * and after one block (each used to lengthen keys linearly: ~1 character per 31 appends at the
 * end, per 5 insertions at the start or after one block).
 */
import type { BlockObjectRequest } from '@notionhq/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

const para = (content: string): BlockObjectRequest => ({ paragraph: { rich_text: [{ text: { content } }] } });

describeEngines('PATCH /v1/blocks/{id}/children order keys', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  const keysOf = (parentId: string) =>
    h.store.transaction(async (tx) => {
      const first = await tx.blocks.firstChildKey(parentId);
      const last = await tx.blocks.lastChildKey(parentId);
      return [first ?? '', last ?? ''];
    });

  it('keeps keys short over 200 appends at the end, 120 at the start and 120 after one block', async () => {
    const c = h.client({ version: '2026-03-11' });
    const page = await c.pages.create({
      parent: { page_id: h.rootPageId },
      properties: { title: { title: [{ text: { content: 'Many children' } }] } },
      children: [para('anchor')],
    });
    const anchor = (await c.blocks.children.list({ block_id: page.id })).results[0]!.id;
    for (let i = 0; i < 200; i++)
      await c.blocks.children.append({
        block_id: page.id,
        position: { type: 'end' },
        children: [para(`e${i}`)],
      });
    for (let i = 0; i < 120; i++)
      await c.blocks.children.append({
        block_id: page.id,
        position: { type: 'start' },
        children: [para(`s${i}`)],
      });
    let afterAnchor = '';
    for (let i = 0; i < 120; i++) {
      const r = await c.blocks.children.append({
        block_id: page.id,
        position: { type: 'after_block', after_block: { id: anchor } },
        children: [para(`a${i}`)],
      });
      afterAnchor = r.results[0]!.id;
    }
    const rows = await h.store.transaction(async (tx) => [await tx.blocks.get(afterAnchor)]);
    const lengths = [...(await keysOf(page.id)), rows[0]!.sort_key].map((k) => k.length);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(20);

    const texts: string[] = [];
    let cursor: string | undefined;
    do {
      const listed = await c.blocks.children.list({
        block_id: page.id,
        start_cursor: cursor,
        page_size: 100,
      });
      for (const b of listed.results)
        texts.push(
          (b as { paragraph: { rich_text: { plain_text: string }[] } }).paragraph.rich_text[0]!.plain_text,
        );
      cursor = listed.next_cursor ?? undefined;
    } while (cursor);
    const expected = [
      ...Array.from({ length: 120 }, (_, i) => `s${119 - i}`),
      'anchor',
      ...Array.from({ length: 120 }, (_, i) => `a${119 - i}`),
      ...Array.from({ length: 200 }, (_, i) => `e${i}`),
    ];
    expect(texts).toEqual(expected);
  }, 60_000);
});
