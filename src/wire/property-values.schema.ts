/** Request schemas for page property values, one per writable property type. */
import { z } from 'zod';
import { DateRequest, IdRequest, RichTextRequest } from './common.schema.ts';
import { SelectColor } from './property-schema.schema.ts';

const OptionRef = z.union([
  z.strictObject({ id: z.string(), name: z.string().optional(), color: SelectColor.optional() }),
  z.strictObject({
    name: z
      .string()
      .min(1)
      .max(100)
      .refine((s) => !s.includes(','), { message: 'should not contain commas' }),
    color: SelectColor.optional(),
    description: z.string().nullable().optional(),
  }),
]);
export type OptionRef = z.infer<typeof OptionRef>;

const PersonRef = z.object({ id: IdRequest, object: z.enum(['user', 'group']).optional() });

const FileRef = z.union([
  z.strictObject({
    name: z.string().max(900),
    type: z.literal('external').optional(),
    external: z.strictObject({ url: z.string().max(2000) }),
  }),
  z.strictObject({
    name: z.string().max(900),
    type: z.literal('file').optional(),
    file: z.looseObject({ url: z.string().max(2000) }),
  }),
  z.strictObject({
    name: z.string().max(900).optional(),
    type: z.literal('file_upload').optional(),
    file_upload: z.strictObject({ id: IdRequest }),
  }),
]);

/** The value schema of each writable type (the payload under the type key). */
export const VALUE_PAYLOADS = {
  title: RichTextRequest,
  rich_text: RichTextRequest,
  number: z.number().nullable(),
  select: OptionRef.nullable(),
  status: OptionRef.nullable(),
  multi_select: z.array(OptionRef).max(100),
  date: DateRequest.nullable(),
  people: z.array(PersonRef).max(100),
  files: z.array(FileRef).max(100),
  checkbox: z.boolean(),
  url: z.string().max(2000).nullable(),
  email: z.string().max(200).nullable(),
  phone_number: z.string().max(200).nullable(),
  relation: z.array(z.object({ id: IdRequest })).max(100),
  verification: z.union([
    z.strictObject({ state: z.literal('verified'), date: DateRequest.nullable().optional() }),
    z.strictObject({ state: z.literal('unverified') }),
  ]),
  place: z
    .strictObject({
      lat: z.number().min(-90).max(90),
      lon: z.number().min(-180).max(180),
      name: z.string().nullable().optional(),
      address: z.string().nullable().optional(),
      aws_place_id: z.string().nullable().optional(),
      google_place_id: z.string().nullable().optional(),
    })
    .nullable(),
} as const;
export type WritableType = keyof typeof VALUE_PAYLOADS;

export function isWritableType(t: string): t is WritableType {
  return t in VALUE_PAYLOADS;
}

function buildValueRequest(type: WritableType) {
  return z.strictObject({
    type: z.literal(type).optional(),
    id: z.string().optional(),
    [type]: VALUE_PAYLOADS[type],
  });
}

const VALUE_REQUESTS = new Map<WritableType, ReturnType<typeof buildValueRequest>>();

/**
 * `{ "<type>": value }` with an optional matching `type` (and echoed `id`). Built once per type:
 * Zod compiles a schema on its first parse, which cost more than the parse itself when every value
 * of every row built a new one (bulk imports ran at ~1,000 rows/s).
 */
export function valueRequest(type: WritableType) {
  let schema = VALUE_REQUESTS.get(type);
  if (!schema) {
    schema = buildValueRequest(type);
    VALUE_REQUESTS.set(type, schema);
  }
  return schema;
}
