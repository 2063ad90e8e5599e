/**
 * Request schemas for data-source properties (the "columns"): the create form used by
 * POST /v1/databases and POST /v1/data_sources, and the update form of PATCH, where a value may
 * also be `null` (delete) or `{name}` (rename only).
 */
import { z } from 'zod';
import { IdRequest, SELECT_COLORS } from './common.schema.ts';
import { pickByKey } from './pick.ts';

export const SelectColor = z.enum(SELECT_COLORS);

export const NUMBER_FORMATS = [
  'number',
  'number_with_commas',
  'percent',
  'dollar',
  'australian_dollar',
  'canadian_dollar',
  'singapore_dollar',
  'euro',
  'pound',
  'yen',
  'ruble',
  'rupee',
  'won',
  'yuan',
  'real',
  'lira',
  'rupiah',
  'franc',
  'hong_kong_dollar',
  'new_zealand_dollar',
  'krona',
  'norwegian_krone',
  'mexican_peso',
  'rand',
  'new_taiwan_dollar',
  'danish_krone',
  'zloty',
  'baht',
  'forint',
  'koruna',
  'shekel',
  'chilean_peso',
  'philippine_peso',
  'dirham',
  'colombian_peso',
  'riyal',
  'ringgit',
  'leu',
  'argentine_peso',
  'uruguayan_peso',
  'peruvian_sol',
] as const;

/** Option names: Notion refuses commas in select option names. */
const OptionName = z
  .string()
  .min(1)
  .max(100)
  .refine((s) => !s.includes(','), { message: 'should not contain commas' });

export const OptionRequest = z.strictObject({
  id: z.string().optional(),
  name: OptionName.optional(),
  color: SelectColor.optional(),
  description: z.string().nullable().optional(),
});
export type OptionRequest = z.infer<typeof OptionRequest>;

const Empty = z.strictObject({});
const Options = z.strictObject({ options: z.array(OptionRequest).max(100).optional() });

const RelationConfig = z.strictObject({
  data_source_id: IdRequest.optional(),
  database_id: IdRequest.optional(),
  type: z.enum(['single_property', 'dual_property']).optional(),
  single_property: Empty.optional(),
  dual_property: z
    .strictObject({ synced_property_id: z.string().optional(), synced_property_name: z.string().optional() })
    .optional(),
});
export type RelationConfigRequest = z.infer<typeof RelationConfig>;

/** Payload schema by property type. */
export const PROPERTY_PAYLOADS = {
  title: Empty,
  rich_text: Empty,
  number: z.strictObject({ format: z.enum(NUMBER_FORMATS).optional() }),
  select: Options,
  multi_select: Options,
  status: Options,
  date: Empty,
  people: Empty,
  files: Empty,
  checkbox: Empty,
  url: Empty,
  email: Empty,
  phone_number: Empty,
  relation: RelationConfig,
  created_time: Empty,
  created_by: Empty,
  last_edited_time: Empty,
  last_edited_by: Empty,
  unique_id: z.strictObject({ prefix: z.string().max(10).nullable().optional() }),
  verification: Empty,
  button: Empty,
  place: Empty,
  formula: z.looseObject({}),
  rollup: z.looseObject({}),
  location: Empty,
  last_visited_time: Empty,
} as const;
export type PropertyType = keyof typeof PROPERTY_PAYLOADS;
export const PROPERTY_TYPES = Object.keys(PROPERTY_PAYLOADS) as PropertyType[];

/** A property definition as requested: its type, payload, and optional name/description. */
export interface PropertyRequest {
  type: PropertyType;
  config: Record<string, unknown>;
  name?: string | undefined;
  description?: string | null | undefined;
}

const PropertyName = z.string().min(1).max(100);

const variants = Object.fromEntries(
  PROPERTY_TYPES.map((type) => [
    type,
    z
      .strictObject({
        type: z.literal(type).optional(),
        [type]: PROPERTY_PAYLOADS[type],
        name: PropertyName.optional(),
        description: z.string().max(280).nullable().optional(),
        id: z.string().optional(),
      })
      .transform(
        (p): PropertyRequest => ({
          type,
          config: (p as Record<string, Record<string, unknown>>)[type] ?? {},
          name: p.name as string | undefined,
          description: p.description as string | null | undefined,
        }),
      ),
  ]),
);

const TypeRequired = z.unknown().superRefine((_v, ctx) => {
  ctx.addIssue({
    code: 'custom',
    message: `should be an object with one of ${PROPERTY_TYPES.map((t) => `\`${t}\``).join(', ')}`,
  });
});

/** A property in create form (POST bodies). */
export const PropertyCreateRequest = pickByKey(
  variants,
  TypeRequired,
) as unknown as z.ZodType<PropertyRequest>;

/** The rename-only form of an update. */
export interface PropertyRename {
  type?: undefined;
  name?: string | undefined;
  description?: string | null | undefined;
}

const RenameOnly = z
  .strictObject({ name: PropertyName.optional(), description: z.string().max(280).nullable().optional() })
  .transform((p): PropertyRename => ({ name: p.name, description: p.description }));

/** A property in update form (PATCH bodies): definition, rename, or `null` to delete. */
export const PropertyUpdateRequest = z.union([
  z.null(),
  pickByKey(variants, RenameOnly) as unknown as z.ZodType<PropertyRequest | PropertyRename>,
]);

export const PropertiesCreateRequest = z.record(z.string(), PropertyCreateRequest);
export const PropertiesUpdateRequest = z.record(z.string(), PropertyUpdateRequest);
