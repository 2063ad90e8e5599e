/*
 * The table view's pure parts: the filter form's groups as Notion's query filter and back
 * (table-filters.ts), view sorts as sort keys, and the PATCH /v1/pages/{id} bodies of the cell
 * editors (table-model.ts). The same filters run against the server in test/e2e/app-table.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { type Group, groupFilter, parseFilter, parseSorts } from '../../src/web/client/table-filters.ts';
import {
  type FileItem,
  filesBody,
  filterDefaults,
  isImageFile,
  localOffset,
  type PropertySchema,
  propertyBody,
} from '../../src/web/client/table-model.ts';

const columns: PropertySchema[] = [
  { id: 'title', name: 'Name', type: 'title' },
  { id: 'a%3B1', name: 'Score', type: 'number' },
  { id: 'b2', name: 'Done', type: 'checkbox' },
  { id: 'c3', name: 'Kind', type: 'select', select: { options: [{ name: 'Odd' }] } },
];

describe('groupFilter', () => {
  it('answers null for no conditions and a bare property filter for one', () => {
    expect(groupFilter({ kind: 'group', op: 'and', items: [] }, columns)).toBeNull();
    const one: Group = {
      kind: 'group',
      op: 'or',
      items: [{ kind: 'condition', property: 'a%3B1', condition: 'greater_than', value: '97' }],
    };
    expect(groupFilter(one, columns)).toEqual({ property: 'a%3B1', number: { greater_than: 97 } });
  });

  it('nests groups as and/or lists, checkboxes as booleans, is_empty as true', () => {
    const g: Group = {
      kind: 'group',
      op: 'and',
      items: [
        { kind: 'condition', property: 'b2', condition: 'equals', value: 'false' },
        {
          kind: 'group',
          op: 'or',
          items: [
            { kind: 'condition', property: 'c3', condition: 'is_empty', value: '' },
            { kind: 'condition', property: 'title', condition: 'contains', value: 'x' },
          ],
        },
      ],
    };
    const f = groupFilter(g, columns);
    expect(f).toEqual({
      and: [
        { property: 'b2', checkbox: { equals: false } },
        {
          or: [
            { property: 'c3', select: { is_empty: true } },
            { property: 'title', title: { contains: 'x' } },
          ],
        },
      ],
    });
    // And back: the form shows the same group (properties by id).
    expect(groupFilter(parseFilter(f, columns)!, columns)).toEqual(f);
  });

  it('reads a view filter naming properties by name, and refuses shapes the form cannot show', () => {
    expect(parseFilter({ property: 'Score', number: { equals: 3 } }, columns)).toEqual({
      kind: 'group',
      op: 'and',
      items: [{ kind: 'condition', property: 'a%3B1', condition: 'equals', value: '3' }],
    });
    expect(parseFilter({ timestamp: 'created_time', created_time: { past_week: {} } }, columns)).toBeNull();
    expect(
      parseFilter({ and: [{ or: [{ and: [{ property: 'Score', number: { equals: 1 } }] }] }] }, columns),
    ).toBeNull();
    expect(parseFilter({ property: 'Gone', number: { equals: 1 } }, columns)).toBeNull();
  });
});

describe('parseSorts', () => {
  it('keeps property sorts (by name or id) and timestamps, in order, and drops unknown properties', () => {
    expect(
      parseSorts(
        [
          { property: 'Kind', direction: 'descending' },
          { timestamp: 'created_time', direction: 'ascending' },
          { property: 'Gone', direction: 'ascending' },
          { property: 'a%3B1', direction: 'ascending' },
        ],
        columns,
      ),
    ).toEqual([
      { property: 'c3', direction: 'descending' },
      { timestamp: 'created_time', direction: 'ascending' },
      { property: 'a%3B1', direction: 'ascending' },
    ]);
  });
});

describe('propertyBody', () => {
  it('builds the bodies of the list, status, contact and date editors', () => {
    expect(propertyBody('multi_select', ['A', 'B'])).toEqual({
      multi_select: [{ name: 'A' }, { name: 'B' }],
    });
    expect(propertyBody('people', ['u1'])).toEqual({ people: [{ id: 'u1' }] });
    expect(propertyBody('relation', [])).toEqual({ relation: [] });
    expect(propertyBody('status', 'Done')).toEqual({ status: { name: 'Done' } });
    expect(propertyBody('status', '')).toEqual({ status: null });
    expect(propertyBody('email', '')).toEqual({ email: null });
    expect(propertyBody('phone_number', '+1 5')).toEqual({ phone_number: '+1 5' });
    expect(propertyBody('date', { start: '2026-05-01', end: '2026-05-03', time: false })).toEqual({
      date: { start: '2026-05-01', end: '2026-05-03' },
    });
    const offset = localOffset(new Date('2026-05-01T14:30'));
    expect(propertyBody('date', { start: '2026-05-01T14:30', end: '', time: true })).toEqual({
      date: { start: `2026-05-01T14:30:00${offset}`, end: null },
    });
    expect(propertyBody('date', { start: '', end: '', time: false })).toEqual({ date: null });
    expect(() => propertyBody('formula', 'x')).toThrow(/cannot be edited/);
  });
});

describe('filterDefaults (a new row under a filter)', () => {
  const cols: PropertySchema[] = [
    ...columns,
    { id: 'd4', name: 'Tags', type: 'multi_select' },
    { id: 'e5', name: 'Note', type: 'rich_text' },
  ];
  const rich = (s: string) => [{ type: 'text', text: { content: s } }];

  it('takes equals and contains values of one condition or an and, by id or name', () => {
    expect(filterDefaults({ property: 'c3', select: { equals: 'Odd' } }, cols)).toEqual({
      Kind: { select: { name: 'Odd' } },
    });
    expect(
      filterDefaults(
        {
          and: [
            { property: 'Done', checkbox: { does_not_equal: true } },
            { property: 'a%3B1', number: { equals: 3 } },
            { property: 'd4', multi_select: { contains: 'x' } },
            { property: 'e5', rich_text: { equals: 'hi' } },
          ],
        },
        cols,
        'New',
      ),
    ).toEqual({
      Done: { checkbox: false },
      Score: { number: 3 },
      Tags: { multi_select: [{ name: 'x' }] },
      Note: { rich_text: rich('hi') },
      Name: { title: rich('New') },
    });
  });

  it('gives nothing for an or, other conditions, or unknown properties; the title wins', () => {
    expect(
      filterDefaults(
        {
          or: [
            { property: 'c3', select: { equals: 'Odd' } },
            { property: 'b2', checkbox: { equals: true } },
          ],
        },
        cols,
      ),
    ).toEqual({});
    expect(filterDefaults({ property: 'a%3B1', number: { greater_than: 3 } }, cols)).toEqual({});
    expect(filterDefaults({ property: 'zz', select: { equals: 'Odd' } }, cols)).toEqual({});
    expect(filterDefaults({ property: 'title', title: { equals: 'F' } }, cols, 'Typed')).toEqual({
      Name: { title: rich('Typed') },
    });
    expect(filterDefaults(null, cols, '')).toEqual({ Name: { title: [] } });
  });
});

describe('files values', () => {
  it('writes uploads by their signed URL and links by theirs; images are told by name or URL', () => {
    const items: FileItem[] = [
      { name: 'a.png', type: 'file', file: { url: 'http://x/files/a?sig=1', expiry_time: 't' } },
      { name: 'Spec', type: 'external', external: { url: 'https://e.com/s.pdf' } },
      { name: 'new', type: 'file_upload', file_upload: { id: 'u1' } },
    ];
    expect(filesBody(items)).toEqual({
      files: [
        { name: 'a.png', type: 'file', file: { url: 'http://x/files/a?sig=1' } },
        { name: 'Spec', type: 'external', external: { url: 'https://e.com/s.pdf' } },
        { name: 'new', type: 'file_upload', file_upload: { id: 'u1' } },
      ],
    });
    expect(items.map(isImageFile)).toEqual([true, false, false]);
    expect(
      isImageFile({ name: 'photo', type: 'external', external: { url: 'https://e.com/p.JPG?w=1' } }),
    ).toBe(true);
  });
});
