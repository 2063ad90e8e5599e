/**
 * View requests (notion-api.md §4.6; SDK `CreateViewRequest`, `UpdateViewRequest`). Zod checks
 * each field's shape; `configuration` is checked against the schema of the view's type
 * (`parseViewConfiguration`), and filters, sorts and quick filters against the data source's
 * schema by the query parser (ops/views.ts), so they speak the data-source query's grammar.
 */
import { z } from 'zod';
import { IdRequest } from './common.schema.ts';
import { bodyError, type Issue, type PathSegment, parseAt, validationError } from './validation.ts';

export const VIEW_TYPES = [
  'table',
  'board',
  'list',
  'calendar',
  'timeline',
  'gallery',
  'form',
  'chart',
  'map',
  'dashboard',
] as const;
export type ViewType = (typeof VIEW_TYPES)[number];

/** Longest view name accepted (Notion's UI has no stated cap; titles elsewhere allow 2,000). */
export const MAX_VIEW_NAME = 2000;

const Position = z.union([
  z.strictObject({ type: z.literal('start') }),
  z.strictObject({ type: z.literal('end') }),
  z.strictObject({ type: z.literal('after_view'), view_id: IdRequest }),
]);

const Placement = z.union([
  z.strictObject({ type: z.literal('new_row'), row_index: z.int().min(0).optional() }),
  z.strictObject({ type: z.literal('existing_row'), row_index: z.int().min(0) }),
]);

const CreateDatabase = z.strictObject({
  parent: z.strictObject({ type: z.literal('page_id'), page_id: IdRequest }),
  position: z.strictObject({ type: z.literal('after_block'), block_id: IdRequest }).optional(),
});

const Json = z.record(z.string(), z.unknown());

export const CreateViewBody = z.strictObject({
  data_source_id: IdRequest,
  name: z.string().min(1).max(MAX_VIEW_NAME),
  type: z.enum(VIEW_TYPES),
  database_id: IdRequest.optional(),
  view_id: IdRequest.optional(),
  create_database: CreateDatabase.optional(),
  filter: Json.optional(),
  sorts: z.array(Json).optional(),
  quick_filters: z.record(z.string(), Json).optional(),
  configuration: Json.optional(),
  position: Position.optional(),
  placement: Placement.optional(),
});
export type CreateViewBody = z.output<typeof CreateViewBody>;

export const UpdateViewBody = z.strictObject({
  name: z.string().min(1).max(MAX_VIEW_NAME).optional(),
  filter: Json.nullable().optional(),
  sorts: z.array(Json).nullable().optional(),
  quick_filters: z.record(z.string(), Json.nullable()).nullable().optional(),
  configuration: Json.optional(),
});
export type UpdateViewBody = z.output<typeof UpdateViewBody>;

export const ListViewsQuery = z.strictObject({
  database_id: IdRequest.optional(),
  data_source_id: IdRequest.optional(),
  start_cursor: z.string().optional(),
  page_size: z.string().optional(),
});

export const CreateViewQueryBody = z.strictObject({ page_size: z.unknown().optional() });

/** Exactly one placement: a database tab, a dashboard widget, or a new linked database. */
export function checkPlacement(body: CreateViewBody): 'database_id' | 'view_id' | 'create_database' {
  const keys = (['database_id', 'view_id', 'create_database'] as const).filter((k) => body[k] !== undefined);
  if (keys.length > 1) throw bodyError([keys[1]!], 'should be not present', body[keys[1]!]);
  if (keys.length === 0) {
    const alternatives: Issue[] = ['database_id', 'view_id', 'create_database'].map((k) => ({
      path: [k],
      expectation: 'should be defined',
      value: undefined,
    }));
    throw validationError('body', { ...alternatives[0]!, alternatives });
  }
  const key = keys[0]!;
  if (body.position !== undefined && key !== 'database_id')
    throw bodyError(['position'], 'should be not present', body.position);
  if (body.placement !== undefined && key !== 'view_id')
    throw bodyError(['placement'], 'should be not present', body.placement);
  return key;
}

// --- configuration, per view type ---------------------------------------------------------------

const GroupSort = z.strictObject({ type: z.enum(['manual', 'ascending', 'descending']) });
const groupBase = { property_id: z.string(), sort: GroupSort, hide_empty_groups: z.boolean().optional() };
const DATE_GROUPS = ['relative', 'day', 'week', 'month', 'year'] as const;
const StartDay = z.union([z.literal(0), z.literal(1)]).optional();

const FormulaSubGroup = z.union([
  z.strictObject({
    type: z.literal('date'),
    group_by: z.enum(DATE_GROUPS),
    sort: GroupSort,
    start_day_of_week: StartDay,
  }),
  z.strictObject({
    type: z.literal('text'),
    group_by: z.enum(['exact', 'alphabet_prefix']),
    sort: GroupSort,
  }),
  z.strictObject({
    type: z.literal('number'),
    sort: GroupSort,
    range_start: z.number().optional(),
    range_end: z.number().optional(),
    range_size: z.number().optional(),
  }),
  z.strictObject({ type: z.literal('checkbox'), sort: GroupSort }),
]);

/** Group-by configuration, keyed by the grouped property's type (checked against the schema). */
export const GroupBy = z.union([
  z.strictObject({ type: z.enum(['select', 'multi_select']), ...groupBase }),
  z.strictObject({ type: z.literal('status'), group_by: z.enum(['group', 'option']), ...groupBase }),
  z.strictObject({ type: z.enum(['person', 'created_by', 'last_edited_by']), ...groupBase }),
  z.strictObject({ type: z.literal('relation'), ...groupBase }),
  z.strictObject({
    type: z.enum(['date', 'created_time', 'last_edited_time']),
    group_by: z.enum(DATE_GROUPS),
    start_day_of_week: StartDay,
    ...groupBase,
  }),
  z.strictObject({
    type: z.enum(['text', 'title', 'url', 'email', 'phone_number']),
    group_by: z.enum(['exact', 'alphabet_prefix']),
    ...groupBase,
  }),
  z.strictObject({
    type: z.literal('number'),
    range_start: z.number().optional(),
    range_end: z.number().optional(),
    range_size: z.number().optional(),
    ...groupBase,
  }),
  z.strictObject({ type: z.literal('checkbox'), ...groupBase }),
  z.strictObject({
    type: z.literal('formula'),
    property_id: z.string(),
    group_by: FormulaSubGroup,
    hide_empty_groups: z.boolean().optional(),
  }),
]);

/** Notion's narrowest column (SDK `MIN_VIEW_COLUMN_WIDTH`). */
export const MIN_VIEW_COLUMN_WIDTH = 32;

export const ViewProperty = z.strictObject({
  property_id: z.string(),
  visible: z.boolean().optional(),
  width: z.int().min(MIN_VIEW_COLUMN_WIDTH).optional(),
  wrap: z.boolean().optional(),
  status_show_as: z.enum(['select', 'checkbox']).optional(),
  card_property_width_mode: z.enum(['full_line', 'inline']).optional(),
  date_format: z
    .enum(['full', 'short', 'month_day_year', 'day_month_year', 'year_month_day', 'relative'])
    .optional(),
  time_format: z.enum(['12_hour', '24_hour', 'hidden']).optional(),
});
const Properties = z.array(ViewProperty).max(500).nullable().optional();
const Cover = z.strictObject({
  type: z.enum(['page_cover', 'page_content', 'property']),
  property_id: z.string().optional(),
});
const cardFields = {
  properties: Properties,
  cover: Cover.nullable().optional(),
  cover_size: z.enum(['small', 'medium', 'large']).nullable().optional(),
  cover_aspect: z.enum(['contain', 'cover']).nullable().optional(),
  card_layout: z.enum(['list', 'compact']).nullable().optional(),
};
const Aggregation = z.strictObject({
  aggregator: z.enum([
    'count',
    'count_values',
    'sum',
    'average',
    'median',
    'min',
    'max',
    'range',
    'unique',
    'empty',
    'not_empty',
    'percent_empty',
    'percent_not_empty',
    'checked',
    'unchecked',
    'percent_checked',
    'percent_unchecked',
    'earliest_date',
    'latest_date',
    'date_range',
  ]),
  property_id: z.string().optional(),
});
const COLORS = [
  'gray',
  'lightgray',
  'brown',
  'yellow',
  'orange',
  'green',
  'blue',
  'purple',
  'pink',
  'red',
] as const;
const opt = <T extends z.ZodType>(t: T) => t.nullable().optional();

export const VIEW_CONFIGURATIONS: Record<Exclude<ViewType, 'dashboard'>, z.ZodType> = {
  table: z.strictObject({
    type: z.literal('table'),
    properties: Properties,
    group_by: GroupBy.nullable().optional(),
    subtasks: z
      .strictObject({
        property_id: z.string().optional(),
        display_mode: z.enum(['show', 'hidden', 'flattened', 'disabled']).optional(),
        filter_scope: z.enum(['parents', 'parents_and_subitems', 'subitems']).optional(),
        toggle_column_id: z.string().optional(),
      })
      .nullable()
      .optional(),
    wrap_cells: z.boolean().optional(),
    frozen_column_index: z.int().min(0).optional(),
    show_vertical_lines: z.boolean().optional(),
  }),
  board: z.strictObject({
    type: z.literal('board'),
    group_by: GroupBy,
    sub_group_by: GroupBy.nullable().optional(),
    ...cardFields,
  }),
  gallery: z.strictObject({ type: z.literal('gallery'), ...cardFields }),
  list: z.strictObject({ type: z.literal('list'), properties: Properties }),
  calendar: z.strictObject({
    type: z.literal('calendar'),
    date_property_id: z.string(),
    properties: Properties,
    view_range: opt(z.enum(['week', 'month'])),
    show_weekends: opt(z.boolean()),
  }),
  timeline: z.strictObject({
    type: z.literal('timeline'),
    date_property_id: z.string(),
    end_date_property_id: opt(z.string()),
    properties: Properties,
    show_table: opt(z.boolean()),
    table_properties: Properties,
    preference: opt(
      z.strictObject({
        zoom_level: z.enum(['hours', 'day', 'week', 'bi_week', 'month', 'quarter', 'year', '5_years']),
        center_timestamp: z.number().optional(),
      }),
    ),
    arrows_by: opt(z.strictObject({ property_id: opt(z.string()) })),
    color_by: opt(z.boolean()),
  }),
  map: z.strictObject({
    type: z.literal('map'),
    height: opt(z.enum(['small', 'medium', 'large', 'extra_large'])),
    map_by: opt(z.string()),
    properties: Properties,
  }),
  form: z.strictObject({
    type: z.literal('form'),
    is_form_closed: opt(z.boolean()),
    anonymous_submissions: opt(z.boolean()),
    submission_permissions: opt(z.enum(['none', 'comment_only', 'reader', 'read_and_write', 'editor'])),
  }),
  chart: z.strictObject({
    type: z.literal('chart'),
    chart_type: z.enum(['column', 'bar', 'line', 'donut', 'number']),
    x_axis: opt(GroupBy),
    y_axis: opt(Aggregation),
    x_axis_property_id: opt(z.string()),
    y_axis_property_id: opt(z.string()),
    value: opt(Aggregation),
    sort: opt(z.enum(['manual', 'x_ascending', 'x_descending', 'y_ascending', 'y_descending'])),
    color_theme: opt(
      z.enum([
        'gray',
        'blue',
        'yellow',
        'green',
        'purple',
        'teal',
        'orange',
        'pink',
        'red',
        'auto',
        'colorful',
      ]),
    ),
    height: opt(z.enum(['small', 'medium', 'large', 'extra_large'])),
    hide_empty_groups: opt(z.boolean()),
    legend_position: opt(z.enum(['off', 'bottom', 'side'])),
    show_data_labels: opt(z.boolean()),
    axis_labels: opt(z.enum(['none', 'x_axis', 'y_axis', 'both'])),
    grid_lines: opt(z.enum(['none', 'horizontal', 'vertical', 'both'])),
    cumulative: opt(z.boolean()),
    smooth_line: opt(z.boolean()),
    hide_line_fill_area: opt(z.boolean()),
    group_style: opt(z.enum(['normal', 'percent', 'side_by_side'])),
    y_axis_min: opt(z.number()),
    y_axis_max: opt(z.number()),
    donut_labels: opt(z.enum(['none', 'value', 'name', 'name_and_value'])),
    hide_title: opt(z.boolean()),
    stack_by: opt(GroupBy),
    reference_lines: opt(
      z
        .array(
          z.strictObject({
            value: z.number(),
            label: z.string(),
            color: z.enum(COLORS),
            dash_style: z.enum(['solid', 'dash']),
            id: z.string().optional(),
          }),
        )
        .max(20),
    ),
    caption: opt(z.string().max(2000)),
    color_by_value: opt(z.boolean()),
  }),
};

/**
 * A configuration checked against its view's type: `type` must name the view's type, and the
 * rest must fit that type's schema. Dashboards take no configuration (their rows are made by
 * adding widgets). Answers the configuration with nulls dropped (a null clears a sub-field).
 */
export function parseViewConfiguration(
  viewType: ViewType,
  raw: Record<string, unknown>,
  path: PathSegment[] = ['configuration'],
): Record<string, unknown> {
  if (viewType === 'dashboard') throw bodyError(path, 'should be not present', raw);
  if (raw.type !== viewType) throw bodyError([...path, 'type'], `should be \`"${viewType}"\``, raw.type);
  const parsed = parseAt(VIEW_CONFIGURATIONS[viewType], raw, path) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== null && v !== undefined));
}
