import { describe, expect, it } from 'vitest';
import { type EditorBlock, fromEditor, toEditor } from '../../src/web/client/convert.ts';
import { CODE_LANGUAGES, notionLanguage } from '../../src/web/client/languages.ts';
import { fromInline, toInline } from '../../src/web/client/rich-text.ts';
import { editorSchema } from '../../src/web/client/schema.ts';
import { planSync } from '../../src/web/client/sync.ts';
import { CODE_LANGUAGES as WIRE_LANGUAGES } from '../../src/wire/block-payloads.ts';
import { cases, URL_A } from './convert-cases.ts';
import { EB, NB, PLAIN, RT, T, tableContent, W } from './convert-support.ts';

describe('toEditor / fromEditor per block type', () => {
  for (const [label, stored, editor, body] of cases()) {
    it(`${label}: Notion → editor → the same write body`, () => {
      const [converted] = toEditor([stored]);
      expect(converted!.id).toBe(stored.id);
      expect(converted).toMatchObject(editor);
      expect(Object.keys(editorSchema.blockSchema)).toContain(converted!.type);
      expect(fromEditor([converted!])).toEqual([body]);
    });
  }

  it('keeps a read-only block’s raw Notion block, children included, in the editor', () => {
    const stored = NB('column_list', {}, [NB('column', {}, [NB('divider', {})])]);
    const [converted] = toEditor([stored]);
    expect(JSON.parse(String(converted!.props.raw))).toEqual(stored);
    expect(converted!.children).toEqual([]);
  });

  it('writes a read-only block’s children without response-only fields', () => {
    const stored = NB('column_list', {}, [
      NB('column', {}, [
        NB('numbered_list_item', {
          rich_text: [RT('n')],
          color: 'default',
          list_start_index: 3,
          list_format: 'roman',
        }),
        NB('image', { caption: [], type: 'external', external: { url: URL_A } }),
      ]),
    ]);
    const [body] = fromEditor(toEditor([stored]));
    expect(body).toEqual({
      type: 'column_list',
      column_list: {
        children: [
          {
            type: 'column',
            column: {
              children: [
                { type: 'numbered_list_item', numbered_list_item: { rich_text: [W('n')], color: 'default' } },
                { type: 'image', image: { caption: [], external: { url: URL_A } } },
              ],
            },
          },
        ],
      },
    });
  });

  it('nests children of text blocks and toggleable headings', () => {
    const stored = [
      NB('toggle', { rich_text: [RT('t')], color: 'default' }, [
        NB('bulleted_list_item', { rich_text: [RT('in')], color: 'default' }, [
          NB('to_do', { rich_text: [RT('deep')], checked: false, color: 'default' }),
        ]),
      ]),
      NB('heading_3', { rich_text: [RT('H')], is_toggleable: true, color: 'default' }, [NB('divider', {})]),
    ];
    const editor = toEditor(stored);
    expect(editor[0]!.children[0]!.children[0]!.type).toBe('checkListItem');
    expect(editor[1]!.children[0]!.type).toBe('divider');
    const bodies = fromEditor(editor);
    expect(bodies[0]).toEqual({
      type: 'toggle',
      toggle: {
        rich_text: [W('t')],
        color: 'default',
        children: [
          {
            type: 'bulleted_list_item',
            bulleted_list_item: {
              rich_text: [W('in')],
              color: 'default',
              children: [
                { type: 'to_do', to_do: { rich_text: [W('deep')], color: 'default', checked: false } },
              ],
            },
          },
        ],
      },
    });
    expect(bodies[1]).toMatchObject({ heading_3: { is_toggleable: true, children: [{ type: 'divider' }] } });
  });

  it('moves children of blocks Notion cannot nest under (a plain heading, an image) after them', () => {
    const doc = [
      EB('heading', { level: 2 }, [T('H')], [EB('paragraph', {}, [T('under h')])]),
      EB('image', { url: URL_A }, undefined, [EB('paragraph', {}, [T('under img')])]),
    ];
    expect(fromEditor(doc).map((b) => b.type)).toEqual(['heading_2', 'paragraph', 'image', 'paragraph']);
  });

  it('writes an uploaded file as a file_upload reference', () => {
    const id = '11111111-2222-4333-8444-555555555555';
    const [body] = fromEditor([EB('image', { url: `https://octavo.test/files/x#file_upload=${id}` })]);
    expect(body).toEqual({ type: 'image', image: { file_upload: { id }, caption: [] } });
  });

  it('maps heading levels, code language defaults and colours from the editor', () => {
    const doc = [
      EB('heading', { level: 4, textColor: 'red', backgroundColor: 'yellow' }, [T('h4')]),
      EB('codeBlock', { language: 'text' }, [T('x')]),
      EB('paragraph', { textColor: 'not-a-notion-colour' }, []),
    ];
    expect(fromEditor(doc)).toEqual([
      {
        type: 'heading_4',
        heading_4: { rich_text: [W('h4')], color: 'yellow_background', is_toggleable: false },
      },
      { type: 'code', code: { rich_text: [W('x')], language: 'plain text', caption: [] } },
      { type: 'paragraph', paragraph: { rich_text: [], color: 'default' } },
    ]);
  });
});

describe('code languages', () => {
  it('are Notion’s list exactly, aliases mapped, anything else plain text', () => {
    expect([...CODE_LANGUAGES]).toEqual([...WIRE_LANGUAGES]);
    expect(
      ['Python', 'ts', 'text', 'cpp', 'java/c/c++/c#', 'klingon', undefined].map(notionLanguage),
    ).toEqual(['python', 'typescript', 'plain text', 'c++', 'java/c/c++/c#', 'plain text', 'plain text']);
  });
});

describe('rich text', () => {
  it('maps every annotation and colour to styles and back', () => {
    const rich = [
      RT('b', { bold: true }),
      RT('i', { italic: true }),
      RT('s', { strikethrough: true }),
      RT('u', { underline: true }),
      RT('c', { code: true }),
      RT('red', { color: 'red' }),
      RT('bg', { color: 'blue_background' }),
    ];
    expect(toInline(rich)).toEqual([
      T('b', { bold: true }),
      T('i', { italic: true }),
      T('s', { strike: true }),
      T('u', { underline: true }),
      T('c', { code: true }),
      T('red', { textColor: 'red' }),
      T('bg', { backgroundColor: 'blue' }),
    ]);
    expect(fromInline(toInline(rich))).toEqual([
      W('b', { bold: true }),
      W('i', { italic: true }),
      W('s', { strikethrough: true }),
      W('u', { underline: true }),
      W('c', { code: true }),
      W('red', { color: 'red' }),
      W('bg', { color: 'blue_background' }),
    ]);
  });

  it('groups linked items into one editor link and writes each styled part with the link', () => {
    const rich = [RT('see ', {}, 'https://a.b'), RT('this', { bold: true }, 'https://a.b'), RT(' now')];
    expect(toInline(rich)).toEqual([
      { type: 'link', href: 'https://a.b', content: [T('see '), T('this', { bold: true })] },
      T(' now'),
    ]);
    expect(fromInline(toInline(rich))).toEqual([
      W('see ', {}, 'https://a.b'),
      W('this', { bold: true }, 'https://a.b'),
      W(' now'),
    ]);
  });

  it('keeps mentions (with their annotations) and inline equations', () => {
    const rich = [
      {
        type: 'mention',
        mention: { type: 'page', page: { id: 'p1' } },
        annotations: { ...PLAIN, bold: true },
        plain_text: 'Home',
        href: 'https://x',
      },
      {
        type: 'mention',
        mention: { type: 'user', user: { object: 'user', id: 'u1', name: 'Ann' } },
        annotations: PLAIN,
        plain_text: '@Ann',
        href: null,
      },
      {
        type: 'mention',
        mention: { type: 'date', date: { start: '2026-01-01', end: null, time_zone: null } },
        annotations: PLAIN,
        plain_text: '2026-01-01',
        href: null,
      },
      {
        type: 'mention',
        mention: {
          type: 'template_mention',
          template_mention: { type: 'template_mention_date', template_mention_date: 'today' },
        },
        annotations: PLAIN,
        plain_text: '@Today',
        href: null,
      },
      {
        type: 'mention',
        mention: { type: 'link_mention', link_mention: { href: 'https://gh.com/x', title: 'x' } },
        annotations: PLAIN,
        plain_text: 'x',
        href: 'https://gh.com/x',
      },
      {
        type: 'equation',
        equation: { expression: 'x^2' },
        annotations: { ...PLAIN, italic: true },
        plain_text: 'x^2',
        href: null,
      },
    ];
    const inline = toInline(rich);
    expect(inline.map((i) => i.type)).toEqual([
      'mention',
      'mention',
      'mention',
      'mention',
      'mention',
      'inlineEquation',
    ]);
    expect(inline[1]).toMatchObject({ props: { text: '@Ann' } });
    expect(fromInline(inline)).toEqual([
      {
        type: 'mention',
        mention: { type: 'page', page: { id: 'p1' } },
        annotations: { ...PLAIN, bold: true },
      },
      { type: 'mention', mention: { type: 'user', user: { id: 'u1' } }, annotations: PLAIN },
      { type: 'mention', mention: { type: 'date', date: { start: '2026-01-01' } }, annotations: PLAIN },
      {
        type: 'mention',
        mention: {
          type: 'template_mention',
          template_mention: { type: 'template_mention_date', template_mention_date: 'today' },
        },
        annotations: PLAIN,
      },
      // Notion will not take a link_mention on input: it is written as linked text.
      W('x', {}, 'https://gh.com/x'),
      { type: 'equation', equation: { expression: 'x^2' }, annotations: { ...PLAIN, italic: true } },
    ]);
  });

  it('splits text longer than 2,000 characters and merges equal neighbours', () => {
    const long = 'a'.repeat(4500);
    const out = fromInline([T(long.slice(0, 100)), T(long.slice(100))]);
    expect(out.map((i) => (i.text as { content: string }).content.length)).toEqual([2000, 2000, 500]);
  });
});

describe('planSync', () => {
  const P = (text: string, children?: ReturnType<typeof NB>[]) =>
    NB('paragraph', { rich_text: [RT(text)], icon: null, color: 'default' }, children);
  const page = 'page-1';
  const plan = (stored: ReturnType<typeof NB>[], edit: (doc: EditorBlock[]) => EditorBlock[]) =>
    planSync(stored, edit(structuredClone(toEditor(stored))), { rootId: page });

  it('plans nothing when nothing changed', () => {
    const stored = [P('a', [P('a1')]), NB('divider', {}), NB('child_page', { title: 'Sub' })];
    expect(plan(stored, (d) => d)).toEqual([]);
  });

  it('updates an edited block only', () => {
    const stored = [P('a'), P('b'), P('c')];
    const steps = plan(stored, (d) => {
      d[1]!.content = [T('B', { bold: true })];
      return d;
    });
    expect(steps).toEqual([
      {
        op: 'update',
        block_id: stored[1]!.id,
        body: { type: 'paragraph', paragraph: { rich_text: [W('B', { bold: true })], color: 'default' } },
      },
    ]);
  });

  it('inserts in the middle after the previous sibling, and at the start', () => {
    const stored = [P('a'), P('b')];
    const steps = plan(stored, (d) => [EB('paragraph', {}, [T('first')]), d[0]!, EB('divider'), d[1]!]);
    expect(steps).toMatchObject([
      { op: 'append', parent_id: page, at_start: true, children: [{ type: 'paragraph' }] },
      { op: 'append', parent_id: page, after: stored[0]!.id, children: [{ type: 'divider' }] },
    ]);
  });

  it('deletes only the topmost removed block', () => {
    const stored = [P('a', [P('a1', [P('a2')])]), P('b')];
    expect(plan(stored, (d) => [d[1]!])).toEqual([{ op: 'delete', block_id: stored[0]!.id }]);
  });

  it('nests and unnests as delete plus append with the subtree', () => {
    const stored = [P('a'), P('b', [P('b1')]), P('c')];
    const nest = plan(stored, (d) => {
      d[0]!.children.push(d[1]!);
      return [d[0]!, d[2]!];
    });
    expect(nest).toMatchObject([
      { op: 'delete', block_id: stored[1]!.id },
      {
        op: 'append',
        parent_id: stored[0]!.id,
        children: [
          { type: 'paragraph', paragraph: { rich_text: [W('b')], children: [{ type: 'paragraph' }] } },
        ],
        ids: [{ id: stored[1]!.id, children: [{ id: stored[1]!.children![0]!.id }] }],
      },
    ]);
    const unnest = plan(stored, (d) => {
      const b1 = d[1]!.children.pop()!;
      return [d[0]!, d[1]!, b1, d[2]!];
    });
    expect(unnest).toMatchObject([
      { op: 'delete', block_id: stored[1]!.children![0]!.id },
      { op: 'append', parent_id: page, after: stored[1]!.id, children: [{ type: 'paragraph' }] },
    ]);
  });

  it('changes a type as delete plus append at the same place', () => {
    const stored = [P('a'), P('b'), P('c')];
    const steps = plan(stored, (d) => {
      d[1] = { ...d[1]!, type: 'heading', props: { ...d[1]!.props, level: 2, isToggleable: false } };
      return d;
    });
    expect(steps).toMatchObject([
      { op: 'delete', block_id: stored[1]!.id },
      { op: 'append', after: stored[0]!.id, children: [{ type: 'heading_2' }], ids: [{ id: stored[1]!.id }] },
    ]);
  });

  it('moves a block with the fewest recreations (a small block rather than a large one)', () => {
    const stored = [P('a'), P('b'), P('c'), P('d')];
    const steps = plan(stored, (d) => [d[0]!, d[2]!, d[3]!, d[1]!]);
    expect(steps).toMatchObject([
      { op: 'delete', block_id: stored[1]!.id },
      { op: 'append', after: stored[3]!.id, children: [{ paragraph: { rich_text: [W('b')] } }] },
    ]);
  });

  it('recreates the small block rather than the large one when two swap', () => {
    const big = NB('toggle', { rich_text: [RT('big')], color: 'default' }, [P('1'), P('2'), P('3')]);
    const small = P('small');
    const steps = plan([small, big], (d) => [d[1]!, d[0]!]);
    expect(steps).toMatchObject([
      { op: 'delete', block_id: small.id },
      { op: 'append', after: big.id, children: [{ type: 'paragraph' }] },
    ]);
  });

  it('does not save a file block that has no file yet', () => {
    const steps = planSync([], [EB('image'), EB('paragraph', {}, [T('p')])], { rootId: page });
    expect(steps).toMatchObject([{ op: 'append', children: [{ type: 'paragraph' }] }]);
  });

  it('never recreates a Notion-hosted file (the API cannot attach it again)', () => {
    const hosted = NB('image', {
      caption: [],
      type: 'file',
      file: { url: 'https://o.test/f', expiry_time: 'x' },
    });
    const a = P('a');
    const steps = plan([hosted, a], (d) => [d[1]!, d[0]!]);
    expect(steps).toMatchObject([
      { op: 'delete', block_id: a.id },
      { op: 'append', at_start: true },
    ]);
  });

  it('never recreates a read-only block: unchanged, it is untouched; moved, it stays', () => {
    const cols = NB('column_list', {}, [NB('column', {}, [P('x')]), NB('column', {}, [P('y')])]);
    const sub = NB('child_page', { title: 'Sub' });
    const stored = [P('a'), cols, sub, P('b')];
    expect(
      plan(stored, (d) => {
        d[0]!.content = [T('A')];
        return d;
      }),
    ).toEqual([expect.objectContaining({ op: 'update', block_id: stored[0]!.id })]);
    const moved = plan(stored, (d) => [d[2]!, d[0]!, d[1]!, d[3]!]);
    expect(moved.some((s) => s.op === 'delete' && s.block_id === sub.id)).toBe(false);
    expect(moved.every((s) => s.op !== 'append' || !JSON.stringify(s).includes('child_page'))).toBe(true);
    // A moved read-only block that the API can create (column_list) moves with its children.
    const movedCols = plan(stored, (d) => [d[0]!, d[2]!, d[3]!, d[1]!]);
    expect(movedCols.find((s) => s.op === 'delete')).toEqual({ op: 'delete', block_id: cols.id });
    expect(movedCols.find((s) => s.op === 'append')).toMatchObject({
      after: stored[3]!.id,
      children: [
        { type: 'column_list', column_list: { children: [{ type: 'column' }, { type: 'column' }] } },
      ],
    });
  });

  it('leaves a read-only block as stored even when the API changed it after the editor loaded', () => {
    const cols = NB('column_list', {}, [NB('column', {}, [P('x')]), NB('column', {}, [P('y')])]);
    const doc = toEditor([cols]);
    const now = structuredClone(cols);
    now.children![0]!.children![0]!.paragraph = {
      rich_text: [RT('changed by the API')],
      icon: null,
      color: 'default',
    };
    expect(planSync([now], doc, { rootId: page })).toEqual([]);
  });

  it('keeps a container holding a child page when the page is moved out of it', () => {
    const sub = NB('child_page', { title: 'Sub' });
    const toggle = NB('toggle', { rich_text: [RT('t')], color: 'default' }, [sub]);
    const stored = [toggle, P('b')];
    const steps = plan(stored, (d) => [d[0]!.children[0]!, d[1]!]);
    expect(steps.filter((s) => s.op === 'delete')).toEqual([]);
  });

  it('creates a new container without the child page dragged into it (the page stays put)', () => {
    const sub = NB('child_page', { title: 'Sub' });
    const stored = [P('a'), sub];
    const steps = plan(stored, (d) => [
      d[0]!,
      EB('toggleListItem', {}, [T('new')], [d[1]!, EB('paragraph', {}, [T('x')])]),
    ]);
    expect(steps).toEqual([
      expect.objectContaining({
        op: 'append',
        after: stored[0]!.id,
        children: [
          {
            type: 'toggle',
            toggle: expect.objectContaining({ children: [expect.objectContaining({ type: 'paragraph' })] }),
          },
        ],
      }),
    ]);
  });

  it('keeps a block holding a child page when its type changes, and still applies its children’s edits', () => {
    const sub = NB('child_page', { title: 'Sub' });
    const other = P('other');
    const toggle = NB('toggle', { rich_text: [RT('t')], color: 'default' }, [sub, other]);
    const steps = plan([toggle], (d) => {
      d[0] = { ...d[0]!, type: 'paragraph' };
      d[0]!.children[1]!.content = [T('other, edited')];
      return d;
    });
    expect(steps).toEqual([expect.objectContaining({ op: 'update', block_id: other.id })]);
  });

  it('edits table rows by id: changed cells, a new row, a removed row', () => {
    const table = NB('table', { table_width: 2, has_column_header: false, has_row_header: false }, [
      NB('table_row', { cells: [[RT('a')], [RT('b')]] }),
      NB('table_row', { cells: [[RT('c')], [RT('d')]] }),
    ]);
    const steps = plan([table], (d) => {
      const content = d[0]!.content as ReturnType<typeof tableContent>;
      const fresh = tableContent(
        [
          ['A', 'b'],
          ['e', 'f'],
          ['g', 'h'],
        ],
        true,
      );
      d[0]!.content = { ...fresh, rows: fresh.rows.slice(0, 1) };
      expect(content.rows).toHaveLength(2);
      return d;
    });
    expect(steps).toEqual([
      { op: 'delete', block_id: table.children![1]!.id },
      {
        op: 'update',
        block_id: table.id,
        body: { type: 'table', table: { has_column_header: true, has_row_header: false } },
      },
      {
        op: 'update',
        block_id: table.children![0]!.id,
        body: { type: 'table_row', table_row: { cells: [[W('A')], [W('b')]] } },
      },
    ]);
  });

  it('splits appends deeper than Notion’s nesting limit and longer than 100 children', () => {
    const deep = EB(
      'toggleListItem',
      {},
      [T('1')],
      [
        EB(
          'toggleListItem',
          {},
          [T('2')],
          [EB('toggleListItem', {}, [T('3')], [EB('paragraph', {}, [T('4')])])],
        ),
      ],
    );
    const many = Array.from({ length: 150 }, (_, i) => EB('paragraph', {}, [T(`p${i}`)]));
    const steps = planSync([], [deep, ...many], { rootId: page });
    const appends = steps.filter((s) => s.op === 'append');
    expect(appends.map((s) => s.op === 'append' && [s.parent_id, s.children.length])).toEqual([
      [page, 100],
      [deep.children[0]!.children[0]!.id, 1],
      [page, 51],
    ]);
    expect(appends[2]).toMatchObject({ after: many[98]!.id });
  });
});
