import type { Client } from '@notionhq/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type EditorBlock, fromEditor, type NotionBlock, toEditor } from '../../src/web/client/convert.ts';
import { applySteps, planSync } from '../../src/web/client/sync.ts';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import { EB, fetchTree, PLAIN, sdkApi, T, tableContent } from './convert-support.ts';

/** A mention as the editor holds it: the Notion item, annotations included. */
function mention(value: Record<string, unknown>, text: string) {
  const raw = { type: 'mention', mention: value, annotations: PLAIN, plain_text: text, href: null };
  return { type: 'mention', props: { raw: JSON.stringify(raw), text } };
}

/** An editor document with every block type the editor can edit, nested where Notion allows. */
function everyType(linked: string): EditorBlock[] {
  return [
    EB('heading', { level: 1 }, [T('Title')]),
    EB(
      'heading',
      { level: 2, isToggleable: true, backgroundColor: 'blue' },
      [T('Toggle heading')],
      [EB('paragraph', {}, [T('inside')])],
    ),
    EB('heading', { level: 3 }, [T('h3')]),
    EB('heading', { level: 4, textColor: 'red' }, [T('h4')]),
    EB('paragraph', { textColor: 'green' }, [
      T('bold', { bold: true }),
      T(' '),
      { type: 'link', href: 'https://example.com/', content: [T('link', { italic: true })] },
      T(' '),
      { type: 'inlineEquation', props: { expression: 'x^2', annotations: '' } },
      T(' '),
      mention({ type: 'page', page: { id: linked } }, 'Link target'),
      T(' '),
      mention({ type: 'date', date: { start: '2026-05-01' } }, '2026-05-01'),
    ]),
    EB(
      'bulletListItem',
      {},
      [T('bullet')],
      [EB('numberedListItem', {}, [T('number')], [EB('checkListItem', { checked: true }, [T('done')])])],
    ),
    EB('toggleListItem', {}, [T('toggle')], [EB('quote', { backgroundColor: 'yellow' }, [T('quoted')])]),
    EB('callout', { icon: JSON.stringify({ type: 'emoji', emoji: '💡' }), backgroundColor: 'gray' }, [
      T('note'),
    ]),
    EB('codeBlock', { language: 'typescript' }, [T('const x = 1;\nconsole.log(x);')]),
    EB('equation', { expression: 'e = mc^2' }),
    EB('divider'),
    EB('image', { url: 'https://example.com/a.png', caption: 'An image' }),
    EB('video', { url: 'https://example.com/a.mp4' }),
    EB('audio', { url: 'https://example.com/a.mp3' }),
    EB('file', { url: 'https://example.com/report.txt', name: 'report.txt' }),
    EB('file', { url: 'https://example.com/x.pdf', notion: JSON.stringify({ kind: 'pdf' }) }),
    EB('bookmark', { url: 'https://example.com/', caption: 'site' }),
    EB('embed', { url: 'https://example.com/embed', caption: '' }),
    EB(
      'table',
      {},
      tableContent(
        [
          ['A', 'B'],
          ['1', ''],
        ],
        true,
      ),
    ),
    EB('tableOfContents', { textColor: 'pink' }),
    EB('breadcrumb'),
    EB('linkToPage', { targetType: 'page_id', targetId: linked }),
  ];
}

describeEngines('web editor sync through the official SDK', (engine) => {
  let h: Harness;
  let client: Client;
  let linked: string;
  beforeAll(async () => {
    h = await startHarness(engine);
    client = h.client();
    linked = (await newPage('Link target')).id;
  });
  afterAll(() => h.close());

  function newPage(title: string) {
    return client.pages.create({
      parent: { page_id: h.rootPageId },
      properties: { title: { title: [{ text: { content: title } }] } },
    });
  }

  /** Plans the edit from what is stored, runs it, and returns the stored tree afterwards. */
  async function sync(pageId: string, stored: NotionBlock[], edited: EditorBlock[], calls: string[] = []) {
    const steps = planSync(stored, edited, { rootId: pageId });
    await applySteps(steps, sdkApi(client, calls));
    return { steps, after: await fetchTree(client, pageId) };
  }

  it('writes every editable block type and reads back the same document (editor → Notion → editor)', async () => {
    const page = await newPage('Every type');
    const doc = everyType(linked);
    const { after } = await sync(page.id, [], doc);
    expect(fromEditor(toEditor(after))).toEqual(fromEditor(doc));
    expect(after.map((b) => b.type)).toContain('pdf');
    // Nothing left to do: the stored tree is the document.
    expect(planSync(after, toEditor(after), { rootId: page.id })).toEqual([]);
  });

  it('applies edits, inserts, deletes, nesting, a type change and a move; the stored tree is the edited one', async () => {
    const page = await newPage('Edits');
    const { after: stored } = await sync(
      page.id,
      [],
      [
        EB('paragraph', {}, [T('one')]),
        EB('paragraph', {}, [T('two')]),
        EB('toggleListItem', {}, [T('three')], [EB('paragraph', {}, [T('three.a')])]),
        EB('paragraph', {}, [T('four')]),
        EB('bulletListItem', {}, [T('five')]),
        EB(
          'table',
          {},
          tableContent([
            ['a', 'b'],
            ['c', 'd'],
          ]),
        ),
      ],
    );
    const doc = structuredClone(toEditor(stored));
    const [one, two, three, four, five, table] = doc as [EditorBlock, ...EditorBlock[]];
    one.content = [T('one, edited', { underline: true })];
    const threeA = three!.children.pop()!;
    four!.children.push(EB('checkListItem', {}, [T('new under four')]));
    const heading = { ...five!, type: 'heading', props: { ...five!.props, level: 3, isToggleable: false } };
    (table!.content as ReturnType<typeof tableContent>).rows[1]!.cells[0]!.content = [T('C')];
    const edited = [
      EB('paragraph', {}, [T('zero')]),
      one,
      three!,
      threeA,
      EB('divider'),
      four!,
      heading,
      table!,
      two!,
    ];
    const calls: string[] = [];
    const { steps, after } = await sync(page.id, stored, edited, calls);
    expect(fromEditor(toEditor(after))).toEqual(fromEditor(edited));
    const ids = after.map((b) => b.id);
    expect(ids).toContain(one.id);
    expect(ids).toContain(three!.id);
    expect(ids).toContain(table!.id);
    expect(ids).not.toContain(five!.id);
    expect(steps.length).toBeLessThanOrEqual(12);
    expect(planSync(after, toEditor(after), { rootId: page.id })).toEqual([]);
  });

  it('plans again from the same editor document with the id map of the last sync (no reload)', async () => {
    const page = await newPage('Twice');
    const doc = [EB('paragraph', {}, [T('kept')])];
    const first = await applySteps(planSync([], doc, { rootId: page.id }), sdkApi(client));
    doc.push(EB('toggleListItem', {}, [T('new')], [EB('paragraph', {}, [T('child')])]));
    const stored = await fetchTree(client, page.id);
    const second = await applySteps(planSync(stored, doc, { rootId: page.id, ids: first }), sdkApi(client));
    const ids = new Map([...first, ...second]);
    // The editor keeps its own ids; edits to blocks it created become updates of theirs.
    doc[1]!.children[0]!.content = [T('child, edited')];
    const storedAgain = await fetchTree(client, page.id);
    const steps = planSync(storedAgain, doc, { rootId: page.id, ids });
    expect(steps).toEqual([
      expect.objectContaining({ op: 'update', block_id: storedAgain[1]!.children![0]!.id }),
    ]);
    await applySteps(steps, sdkApi(client));
    expect(fromEditor(toEditor(await fetchTree(client, page.id)))).toEqual(fromEditor(doc));
  });

  it('keeps read-only blocks (child page, column list, synced block) and their children', async () => {
    const page = await newPage('Read-only');
    const sub = await client.pages.create({
      parent: { page_id: page.id },
      properties: { title: { title: [{ text: { content: 'Sub page' } }] } },
      children: [{ paragraph: { rich_text: [{ text: { content: 'sub content' } }] } }],
    });
    await client.blocks.children.append({
      block_id: page.id,
      children: [
        { paragraph: { rich_text: [{ text: { content: 'first' } }] } },
        {
          column_list: {
            children: [
              { column: { children: [{ paragraph: { rich_text: [{ text: { content: 'left' } }] } }] } },
              { column: { children: [{ divider: {} }] } },
            ],
          },
        },
        {
          synced_block: {
            synced_from: null,
            children: [{ paragraph: { rich_text: [{ text: { content: 's' } }] } }],
          },
        },
      ],
    });
    const stored = await fetchTree(client, page.id);
    expect(stored.map((b) => b.type)).toEqual(['child_page', 'paragraph', 'column_list', 'synced_block']);
    const doc = structuredClone(toEditor(stored));
    expect(doc.map((b) => b.type)).toEqual(['childPage', 'paragraph', 'notionReadOnly', 'notionReadOnly']);
    doc[1]!.content = [T('first, edited')];
    const { steps, after } = await sync(page.id, stored, doc);
    expect(steps).toEqual([expect.objectContaining({ op: 'update', block_id: stored[1]!.id })]);
    expect(after).toEqual(
      stored.map((b, i) =>
        i === 1
          ? expect.objectContaining({
              id: b.id,
              paragraph: expect.objectContaining({ rich_text: expect.any(Array) }),
            })
          : expect.objectContaining({
              id: b.id,
              type: b.type,
              ...(b.children ? { children: b.children } : {}),
            }),
      ),
    );
    // Moving the child page down: the page (and the synced block) are never recreated (nor
    // trashed); the blocks before it are moved around it instead, so the order is the edited one.
    const moved = structuredClone(toEditor(after));
    const reordered = [moved[1]!, moved[2]!, moved[0]!, moved[3]!];
    const { steps: moveSteps, after: afterMove } = await sync(page.id, after, reordered);
    expect(moveSteps.some((s) => s.op === 'delete' && s.block_id === sub.id)).toBe(false);
    expect(afterMove.map((b) => b.type)).toEqual(['paragraph', 'column_list', 'child_page', 'synced_block']);
    expect([afterMove[2]!.id, afterMove[3]!.id]).toEqual([sub.id, after[3]!.id]);
    expect(fromEditor(toEditor(afterMove))).toEqual(fromEditor(reordered));
    const subPage = await client.pages.retrieve({ page_id: sub.id });
    expect((subPage as { in_trash: boolean }).in_trash).toBe(false);
    expect((await fetchTree(client, sub.id)).map((b) => b.type)).toEqual(['paragraph']);
    // The recreated column list holds the same children as before.
    expect(fromEditor(toEditor([afterMove[1]!]))).toEqual(fromEditor(toEditor([after[2]!])));
  });

  it('appends subtrees deeper than one request allows and more than 100 blocks', async () => {
    const page = await newPage('Deep');
    const deep = EB(
      'toggleListItem',
      {},
      [T('1')],
      [
        EB(
          'toggleListItem',
          {},
          [T('2')],
          [
            EB(
              'toggleListItem',
              {},
              [T('3')],
              [EB('toggleListItem', {}, [T('4')], [EB('paragraph', {}, [T('5')])])],
            ),
          ],
        ),
      ],
    );
    const many = Array.from({ length: 120 }, (_, i) => EB('paragraph', {}, [T(`p${i}`)]));
    const doc = [deep, ...many];
    const { after } = await sync(page.id, [], doc);
    expect(fromEditor(toEditor(after))).toEqual(fromEditor(doc));
  });
});
