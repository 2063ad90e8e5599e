/**
 * Splicing stored property JSON into page objects (lib/json-spans.ts, present/page.present.ts
 * `presentPageJson`) must give exactly `JSON.stringify(presentPage(…))`: checked here over
 * stored documents of every spliced and presented type, text `JSON.stringify` would not write
 * (which must take the object path), odd property names, `filter_properties` and each version.
 */
import { describe, expect, it } from 'vitest';
import type { Schema } from '../../src/domain/properties/types.ts';
import { jsonEntries } from '../../src/lib/json-spans.ts';
import type { PresentContext } from '../../src/present/context.ts';
import { presentPage, presentPageJson, type RowSource } from '../../src/present/page.present.ts';
import type { BlockRow } from '../../src/store/store.ts';

const ctx = (version: string): PresentContext =>
  ({
    version,
    publicUrl: 'http://octavo.test',
    hostedFile: (ref: { id?: string }) => ({
      url: `http://octavo.test/f/${JSON.stringify(ref)}`,
      expiry_time: 'x',
    }),
  }) as unknown as PresentContext;

const text = (content: string) => ({
  type: 'text',
  text: { content, link: null },
  annotations: {
    bold: false,
    italic: true,
    strikethrough: false,
    underline: false,
    code: false,
    color: 'red',
  },
  plain_text: content,
  href: null,
});

const schema: Schema = [
  { id: 'title', name: 'Name', description: null, type: 'title', title: {} },
  { id: 'a%3Fb', name: 'Notes "quoted" ✓', description: null, type: 'rich_text', rich_text: {} },
  { id: '3mGP', name: 'Amount', description: null, type: 'number', number: { format: 'number' } },
  {
    id: 'sel',
    name: 'Stage',
    description: null,
    type: 'select',
    select: { options: [{ id: 'o1', name: 'Todo', color: 'red' }] },
  },
  {
    id: 'ms',
    name: 'Tags',
    description: null,
    type: 'multi_select',
    multi_select: { options: [{ id: 't1', name: 'ç', color: 'blue' }] },
  },
  { id: 'due', name: 'Due', description: null, type: 'date', date: {} },
  { id: 'chk', name: 'Done', description: null, type: 'checkbox', checkbox: {} },
  { id: 'url', name: 'Link', description: null, type: 'url', url: {} },
  { id: 'em', name: 'Mail', description: null, type: 'email', email: {} },
  { id: 'ph', name: 'Phone', description: null, type: 'phone_number', phone_number: {} },
  { id: 'ppl', name: 'Owner', description: null, type: 'people', people: {} },
  { id: 'rel', name: 'Rel', description: null, type: 'relation', relation: {} },
  { id: 'ct', name: 'Created', description: null, type: 'created_time', created_time: {} },
  { id: 'f', name: 'Formula', description: null, type: 'formula', formula: { expression: '1' } },
] as Schema;

function row(properties: string | null, over: Partial<BlockRow> = {}): BlockRow {
  return {
    id: '01a22048-ce7d-7000-85bf-61be099026ad',
    type: 'page',
    parent_type: 'data_source_id',
    parent_id: 'ds',
    created_time: '2026-01-02T03:04:05.678Z',
    last_edited_time: '2026-01-02T03:04:05.678Z',
    created_by: 'u1',
    last_edited_by: 'u2',
    cover: null,
    icon: null,
    in_trash: 0,
    is_locked: 0,
    properties,
    data: '{}',
    ...over,
  } as unknown as BlockRow;
}

const full = {
  title: { type: 'title', title: [text('Hello wörld 😀 — "x"\n\\'), text('two')] },
  'a%3Fb': { type: 'rich_text', rich_text: [text('note\t\u0001')] },
  '3mGP': { type: 'number', number: 1.5e-7 },
  sel: { type: 'select', select: { id: 'o1' } },
  ms: { type: 'multi_select', multi_select: [{ id: 't1' }, { id: 'gone' }] },
  due: { type: 'date', date: { start: '2025-01-15', end: null, time_zone: null } },
  chk: { type: 'checkbox', checkbox: true },
  url: { type: 'url', url: null },
  em: { type: 'email', email: 'a@b.c' },
  ppl: { type: 'people', people: Array.from({ length: 30 }, (_, i) => ({ object: 'user', id: `u${i}` })) },
  rel: { type: 'relation', relation: Array.from({ length: 26 }, (_, i) => ({ id: `r${i}` })) },
};

const source: RowSource = {
  schema,
  dataSourceId: 'ds',
  databaseId: 'db',
  computed: new Map([['f', { type: 'number', number: 2 }]]),
};

function same(
  properties: string | null,
  options: { only?: Set<string>; src?: RowSource; over?: Partial<BlockRow> } = {},
) {
  for (const version of ['2022-06-28', '2025-09-03', '2026-03-11']) {
    const r = row(properties, options.over);
    const src = 'src' in options ? options.src : source;
    expect(presentPageJson(r, ctx(version), src, options.only)).toBe(
      JSON.stringify(presentPage(r, ctx(version), src, options.only)),
    );
  }
}

describe('presentPageJson', () => {
  it('answers the bytes of JSON.stringify(presentPage(…)) for every stored form', () => {
    same(JSON.stringify(full));
    same(JSON.stringify(full), { only: new Set(['title', 'ms', 'due']) });
    same(JSON.stringify(full), { only: new Set() });
    same(null);
    same('{}');
    same(JSON.stringify(full), { src: undefined });
    same(JSON.stringify({ title: full.title }), { src: undefined, over: { parent_type: 'page_id' } });
    same(JSON.stringify(full), {
      over: {
        in_trash: 1,
        is_locked: 1,
        cover: JSON.stringify({ type: 'external', external: { url: 'http://x/"' } }),
      },
    });
    // Values missing, null, or stored under another type.
    same(
      JSON.stringify({ title: { type: 'title', title: null }, '3mGP': { type: 'rich_text', rich_text: [] } }),
    );
    same(JSON.stringify({ title: { type: 'title' }, due: { type: 'date', date: null }, url: {} }));
    for (const checkbox of [false, null, 'true', 1])
      same(JSON.stringify({ chk: { type: 'checkbox', checkbox } }));
    same(JSON.stringify({ chk: { type: 'rich_text', checkbox: true } }));
    // Title not first, two title-typed entries, a title entry under another key.
    same(JSON.stringify({ x: { type: 'title', title: [text('first')] }, title: full.title }));
  });

  it('takes the object path, with the same bytes, for text JSON.stringify would not write', () => {
    const base = JSON.stringify(full);
    const odd = [
      base.replace('{"type":"title"', '{ "type":"title"'),
      base.replace('"2025-01-15"', '"2025\\u002d01-15"'),
      base.replace('"a@b.c"', '"a\\/b"'),
      base.replace('\\u0001', '\\u0001\\u000a'),
      base.replace('\\u0001', '\\u001F'),
      base.replace('1.5e-7', '1.50e-7'),
      base.replace('1.5e-7', '-0'),
      base.replace('1.5e-7', '1E3'),
      base.replace('"o1"}', '"o1","id":"o1"}'),
      base.replace('{"title":', '{"12":{"type":"number","number":1},"title":'),
      `${base.slice(0, -1)},"title":${JSON.stringify(full.title)}}`,
      base.replace('"note', '"\ud800note'),
      '[]',
      '{"title":[]}',
    ];
    for (const text of odd) {
      JSON.parse(text);
      same(text);
    }
    expect(jsonEntries(base)).not.toBeNull();
    // All but the duplicate key three levels down (not looked for: JSON.stringify never writes
    // one) and the last two, which are not objects of objects.
    for (const text of odd.slice(0, 12)) {
      if (!text.includes('"o1","id"')) expect(jsonEntries(text)).toBeNull();
    }
  });

  it('answers the same bytes with a shared (frozen) schema, whose entries it remembers', () => {
    const frozen = (x: unknown): unknown => {
      if (x && typeof x === 'object') {
        for (const v of Object.values(x)) frozen(v);
        Object.freeze(x);
      }
      return x;
    };
    const shared = { ...source, schema: frozen(structuredClone(schema)) as Schema };
    const other = {
      ...full,
      sel: { type: 'select', select: null },
      ms: { type: 'multi_select', multi_select: [{ id: 'gone' }] },
      ppl: { type: 'people', people: [] },
    };
    // Twice each, alternating: the second answers come from what the first remembered.
    for (let i = 0; i < 2; i++) {
      same(JSON.stringify(full), { src: shared });
      same(JSON.stringify(other), { src: shared });
      same(JSON.stringify({ ...full, sel: { type: 'status', select: { id: 'o1' } } }), { src: shared });
    }
    // A schema changed (a renamed option) is another shared schema: its own answers.
    const renamed = structuredClone(schema) as Schema;
    (renamed[3] as unknown as { select: { options: { name: string }[] } }).select.options[0]!.name = 'Doing';
    const later = { ...source, schema: frozen(renamed) as Schema };
    same(JSON.stringify(full), { src: later });
    expect(presentPageJson(row(JSON.stringify(full)), ctx('2025-09-03'), later)).toContain('"name":"Doing"');
  });

  it('reads the title from its text as JSON.parse would, escapes and odd items included', () => {
    const titles = [
      [text('a "b" \\ \n'), text('ü😀\u0001')],
      [{ type: 'text', text: { content: 'no plain text' } }, text('x')],
      [],
    ];
    for (const title of titles) same(JSON.stringify({ title: { type: 'title', title } }));
    // Values that are not strings, items that are not objects.
    same('{"title":{"type":"title","title":[{"plain_text":null},{"plain_text":"x"}]}}');
    same('{"title":{"type":"title","title":[{"plain_text":3}]}}');
    same('{"title":{"type":"title","title":["x"]}}');
  });

  it('takes the object path for property names the object path would reorder or drop', () => {
    for (const name of ['2024', '0', '__proto__']) {
      const odd = schema.map((p) => (p.id === 'due' ? { ...p, name } : p)) as Schema;
      same(JSON.stringify(full), { src: { ...source, schema: odd } });
    }
    const twice = schema.map((p) => (p.id === 'due' ? { ...p, name: 'Amount' } : p)) as Schema;
    same(JSON.stringify(full), { src: { ...source, schema: twice } });
  });
});
