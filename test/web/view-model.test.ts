/*
 * The browser app's view model (src/web/client/view-model.ts): the query a view asks for, a
 * board's columns and the PATCH that moves a card, the properties a card shows, and the
 * calendar's month grid and the days a date covers.
 */
import { describe, expect, it } from 'vitest';
import {
  addMonths,
  allOf,
  boardGroups,
  DEFAULT_VIEW,
  dateProperty,
  daysOf,
  groupKeyOf,
  groupProperty,
  monthGrid,
  moveBody,
  NO_GROUP,
  newViewConfiguration,
  shownProperties,
  tableDefaults,
  type View,
  type ViewProperty,
  viewQuery,
  withPagesOptions,
} from '../../src/web/client/view-model.ts';

const props: ViewProperty[] = [
  { id: 'title', name: 'Name', type: 'title' },
  { id: 'n1', name: 'Notes', type: 'rich_text' },
  { id: 's1', name: 'Kind', type: 'select', select: { options: [{ name: 'Bug' }, { name: 'Chore' }] } },
  {
    id: 's2',
    name: 'Stage',
    type: 'status',
    status: {
      options: [
        { id: 'o1', name: 'Not started' },
        { id: 'o2', name: 'Doing' },
        { id: 'o3', name: 'Done' },
      ],
      groups: [
        { name: 'To-do', option_ids: ['o1'] },
        { name: 'In progress', option_ids: ['o2'] },
        { name: 'Complete', option_ids: ['o3'] },
      ],
    },
  },
  { id: 'd1', name: 'Due', type: 'date' },
  { id: 'd2', name: 'Made', type: 'created_time' },
];
const view = (v: Partial<View>): View => ({ ...DEFAULT_VIEW, id: 'v', type: 'board', ...v });

describe('viewQuery', () => {
  it('joins the filter, each quick filter and extra conditions with one flat and', () => {
    const q = viewQuery(
      view({
        filter: { and: [{ property: 's1', select: { equals: 'Bug' } }] },
        quick_filters: { n1: { rich_text: { contains: 'x' } } },
        sorts: [{ property: 'd1', direction: 'descending' }],
      }),
      [{ property: 'd1', date: { on_or_after: '2026-01-01' } }],
    );
    expect(q).toEqual({
      filter: {
        and: [
          { property: 's1', select: { equals: 'Bug' } },
          { property: 'n1', rich_text: { contains: 'x' } },
          { property: 'd1', date: { on_or_after: '2026-01-01' } },
        ],
      },
      sorts: [{ property: 'd1', direction: 'descending' }],
    });
  });
  it('sends neither filter nor sorts for a bare view, and one condition as itself', () => {
    expect(viewQuery(view({ filter: {}, sorts: [] }))).toEqual({});
    expect(allOf([null, { or: [] }])).toEqual({ or: [] });
  });
});

describe('board groups', () => {
  it('groups by the view’s group_by property, else the first select or status', () => {
    expect(groupProperty(props, view({ configuration: { group_by: { property_id: 's2' } } }))?.name).toBe(
      'Stage',
    );
    expect(groupProperty(props, view({ configuration: { group_by: { property_id: 'n1' } } }))?.name).toBe(
      'Kind',
    );
    expect(groupProperty(props.slice(0, 2), view({}))).toBeNull();
  });
  it('has a column per option in schema order, or by name, then No <property>', () => {
    const kind = props[2]!;
    expect(boardGroups(kind, view({})).map((g) => g.label)).toEqual(['Bug', 'Chore', 'No Kind']);
    const desc = view({ configuration: { group_by: { property_id: 's1', sort: { type: 'descending' } } } });
    expect(boardGroups(kind, desc).map((g) => g.label)).toEqual(['Chore', 'Bug', 'No Kind']);
  });
  it('puts a page in its option’s column, or in No <property>, and moves it with a PATCH body', () => {
    const kind = props[2]!;
    const [bug, , none] = boardGroups(kind, view({}));
    expect(groupKeyOf({ Kind: { type: 'select', select: { name: 'Bug' } } }, kind, view({}))).toBe(bug!.key);
    expect(groupKeyOf({ Kind: { type: 'select', select: null } }, kind, view({}))).toBe(NO_GROUP);
    expect(moveBody(kind, bug!)).toEqual({ Kind: { select: { name: 'Bug' } } });
    expect(moveBody(kind, none!)).toEqual({ Kind: { select: null } });
  });
  it('adds a column for an option a page has that the schema did not list, before No <property>', () => {
    const groups = boardGroups(props[2]!, view({}));
    expect(
      withPagesOptions(groups, ['option:Bug', 'option:Idea', NO_GROUP, 'option:Idea']).map((g) => g.label),
    ).toEqual(['Bug', 'Chore', 'Idea', 'No Kind']);
    expect(withPagesOptions(groups, ['option:Bug'])).toBe(groups);
  });
  it('shows status groups as columns when the view groups by group; a move takes the group’s first option', () => {
    const stage = props[3]!;
    const v = view({ configuration: { group_by: { property_id: 's2', group_by: 'group' } } });
    const groups = boardGroups(stage, v);
    expect(groups.map((g) => g.label)).toEqual(['To-do', 'In progress', 'Complete', 'No Stage']);
    expect(groupKeyOf({ Stage: { type: 'status', status: { id: 'o3', name: 'Done' } } }, stage, v)).toBe(
      groups[2]!.key,
    );
    expect(moveBody(stage, groups[1]!)).toEqual({ Stage: { status: { name: 'Doing' } } });
    expect(boardGroups(stage, view({})).map((g) => g.label)).toEqual([
      'Not started',
      'Doing',
      'Done',
      'No Stage',
    ]);
  });
});

describe('shownProperties', () => {
  it('takes the view’s visible properties in its order, never the title or the excluded', () => {
    const v = view({
      configuration: {
        properties: [
          { property_id: 'd1' },
          { property_id: 'n1', visible: false },
          { property_id: 'title' },
          { property_id: 's1' },
        ],
      },
    });
    expect(shownProperties(props, v, ['s1']).map((p) => p.name)).toEqual(['Due']);
    expect(shownProperties(props, view({}), ['s1'], 2).map((p) => p.name)).toEqual(['Notes', 'Stage']);
  });
});

describe('calendar', () => {
  it('uses the view’s date property, else the first date property', () => {
    expect(dateProperty(props, view({ configuration: { date_property_id: 'd2' } }))?.name).toBe('Made');
    expect(dateProperty(props, view({}))?.name).toBe('Due');
  });
  it('shows whole weeks, Monday first, around the month', () => {
    const weeks = monthGrid('2026-11');
    expect(weeks[0]![0]).toBe('2026-10-26');
    expect(weeks.at(-1)!.at(-1)).toBe('2026-12-06');
    expect(weeks.every((w) => w.length === 7)).toBe(true);
    expect(monthGrid('2021-02')).toHaveLength(4); // 1 Feb 2021 was a Monday, 28 days
    expect(addMonths('2026-12', 1)).toBe('2027-01');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
  });
  it('places a date on its written day, and a range on each of its days', () => {
    expect(daysOf({ type: 'date', date: { start: '2026-11-28T23:30:00.000-05:00' } })).toEqual([
      '2026-11-28',
    ]);
    expect(daysOf({ type: 'date', date: { start: '2026-11-30', end: '2026-12-02' } })).toEqual([
      '2026-11-30',
      '2026-12-01',
      '2026-12-02',
    ]);
    expect(daysOf({ type: 'date', date: null })).toEqual([]);
    expect(daysOf({ type: 'created_time', created_time: '2026-11-01T10:00:00.000Z' })).toEqual([
      '2026-11-01',
    ]);
  });
});

describe('new views and table defaults', () => {
  it('configures a board by its property and a calendar by its date', () => {
    expect(newViewConfiguration('board', props[3]!)).toEqual({
      type: 'board',
      group_by: { type: 'status', property_id: 's2', sort: { type: 'manual' }, group_by: 'option' },
    });
    expect(newViewConfiguration('calendar', props[4]!)).toEqual({ type: 'calendar', date_property_id: 'd1' });
    expect(newViewConfiguration('list', null)).toBeUndefined();
  });
  it('starts a table on the view’s first property sort and its filter', () => {
    const v = view({
      type: 'table',
      sorts: [
        { timestamp: 'created_time', direction: 'ascending' } as never,
        { property: 'd1', direction: 'descending' },
      ],
      filter: { property: 's1', select: { equals: 'Bug' } },
    });
    expect(tableDefaults(v, props)).toEqual({
      sort: { property: 'Due', direction: 'descending' },
      filter: { property: 's1', select: { equals: 'Bug' } },
    });
  });
});
