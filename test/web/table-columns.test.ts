/*
 * The table's column order as pure rules (table-model.ts `orderColumns`, `moveColumn`) and a
 * formula's stored property tokens written back as `prop("Name")` (property-config.tsx). The
 * browser side, with the view read back through the SDK, is test/e2e/app-table-props.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  type DataSource,
  moveColumn,
  orderColumns,
  type PropertySchema,
  readableFormula,
  valueText,
} from '../../src/web/client/table-model.ts';

const columns: PropertySchema[] = [
  { id: 'title', name: 'Name', type: 'title' },
  { id: 'a', name: 'A', type: 'number' },
  { id: 'b', name: 'B', type: 'rich_text' },
  { id: 'c%3B', name: 'C', type: 'checkbox' },
];
const ids = (cs: PropertySchema[]) => cs.map((c) => c.id);

describe('orderColumns', () => {
  it('puts the title first, then the listed properties in order, then the rest in schema order', () => {
    expect(ids(orderColumns(columns, ['c%3B', 'title', 'a']))).toEqual(['title', 'c%3B', 'a', 'b']);
    expect(ids(orderColumns(columns, []))).toEqual(['title', 'a', 'b', 'c%3B']);
    expect(ids(orderColumns(columns, ['gone', 'b']))).toEqual(['title', 'b', 'a', 'c%3B']);
  });
});

describe('moveColumn', () => {
  it('moves a column to a place, never before the title', () => {
    expect(moveColumn(columns, 'c%3B', 1)).toEqual(['title', 'c%3B', 'a', 'b']);
    expect(moveColumn(columns, 'a', 3)).toEqual(['title', 'b', 'c%3B', 'a']);
    expect(moveColumn(columns, 'b', 0)).toEqual(['title', 'b', 'a', 'c%3B']);
    expect(moveColumn(columns, 'title', 2)).toEqual(['title', 'a', 'b', 'c%3B']);
  });
});

describe('readableFormula', () => {
  const source = {
    id: 'ds',
    title: [],
    properties: Object.fromEntries(columns.map((c) => [c.name, c])),
  } as DataSource;
  it('writes tokens of this schema as prop("Name") and keeps the others', () => {
    const stored =
      '{{notion:block_property:a:00000000-0000-0000-0000-000000000000:ws}} * 2 + ' +
      'if({{notion:block_property:c%253B:x:ws}}, 1, 0) + {{notion:block_property:zz:other:ws}}';
    expect(readableFormula(stored, source)).toBe(
      'prop("A") * 2 + if(prop("C"), 1, 0) + {{notion:block_property:zz:other:ws}}',
    );
  });
});

describe('valueText of computed values', () => {
  it('shows a formula result and a rollup, an array rollup as its values', () => {
    expect(valueText({ type: 'formula', formula: { type: 'number', number: 10 } })).toBe('10');
    expect(valueText({ type: 'rollup', rollup: { type: 'number', number: 3, function: 'sum' } })).toBe('3');
    const array = [
      { type: 'title', title: [{ plain_text: 'Red team' }] },
      { type: 'number', number: null },
      { type: 'number', number: 4 },
    ];
    expect(valueText({ type: 'rollup', rollup: { type: 'array', array, function: 'show_original' } })).toBe(
      'Red team, 4',
    );
  });
});
