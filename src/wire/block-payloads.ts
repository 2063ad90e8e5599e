/**
 * Block payload schemas per type, without `children` (the tree schema in blocks.schema.ts adds
 * those by nesting depth). Create and update forms differ: updates take a subset of fields, all
 * optional, and some types (column_list, read-only types) cannot be updated at all.
 */
import { z } from 'zod';
import { ApiColor, IconRequest, IdRequest, MAX_EQUATION, MAX_URL, RichTextRequest } from './common.schema.ts';
import { CODE_LANGUAGES } from './names.ts';
import { pickByKey } from './pick.ts';

export { CODE_LANGUAGES } from './names.ts';
/** A string first, so that a missing language reads "should be defined". */
export const CodeLanguage = z.string().pipe(z.enum(CODE_LANGUAGES));

const Url = z.string().max(MAX_URL);
const Caption = RichTextRequest.optional();
const FileUploadRef = z.strictObject({ id: IdRequest });
const ExternalRef = z.strictObject({ url: Url });

const text = { rich_text: RichTextRequest, color: ApiColor.optional() };
const heading = z.strictObject({ ...text, is_toggleable: z.boolean().optional() });
const plainText = z.strictObject(text);

/** `image`, `video`, `audio`, `pdf` (and `file` with `name`): an external URL or an upload reference. */
function mediaPayload(withName: boolean) {
  const name = withName ? { name: z.string().optional() } : {};
  return pickByKey(
    {
      external: z.strictObject({
        type: z.literal('external').optional(),
        external: ExternalRef,
        caption: Caption,
        ...name,
      }),
      file_upload: z.strictObject({
        type: z.literal('file_upload').optional(),
        file_upload: FileUploadRef,
        caption: Caption,
        ...name,
      }),
    },
    z.strictObject({
      type: z.literal('external').optional(),
      external: ExternalRef,
      caption: Caption,
      ...name,
    }),
  );
}

const LinkTarget = pickByKey(
  {
    page_id: z.strictObject({ type: z.literal('page_id').optional(), page_id: IdRequest }),
    database_id: z.strictObject({ type: z.literal('database_id').optional(), database_id: IdRequest }),
    comment_id: z.strictObject({ type: z.literal('comment_id').optional(), comment_id: IdRequest }),
  },
  z.strictObject({ type: z.literal('page_id').optional(), page_id: IdRequest }),
);

const SyncedFrom = z.strictObject({ type: z.literal('block_id').optional(), block_id: IdRequest }).nullable();

/** Create payloads by block type, without `children`. */
export const CREATE_PAYLOADS = {
  paragraph: z.strictObject({ ...text, icon: IconRequest.optional() }),
  heading_1: heading,
  heading_2: heading,
  heading_3: heading,
  heading_4: heading,
  bulleted_list_item: plainText,
  numbered_list_item: plainText,
  quote: plainText,
  toggle: plainText,
  to_do: z.strictObject({ ...text, checked: z.boolean().optional() }),
  template: z.strictObject({ rich_text: RichTextRequest }),
  callout: z.strictObject({ ...text, icon: IconRequest.optional() }),
  code: z.strictObject({ rich_text: RichTextRequest, language: CodeLanguage, caption: Caption }),
  equation: z.strictObject({ expression: z.string().max(MAX_EQUATION) }),
  divider: z.strictObject({}),
  breadcrumb: z.strictObject({}),
  table_of_contents: z.strictObject({ color: ApiColor.optional() }),
  link_to_page: LinkTarget,
  embed: z.strictObject({ url: Url, caption: Caption }),
  bookmark: z.strictObject({ url: Url, caption: Caption }),
  image: mediaPayload(false),
  video: mediaPayload(false),
  audio: mediaPayload(false),
  pdf: mediaPayload(false),
  file: mediaPayload(true),
  table: z.strictObject({
    table_width: z.number().int().min(1),
    has_column_header: z.boolean().optional(),
    has_row_header: z.boolean().optional(),
  }),
  table_row: z.strictObject({ cells: z.array(RichTextRequest) }),
  column_list: z.strictObject({}),
  column: z.strictObject({ width_ratio: z.number().gt(0).lte(1).optional() }),
  synced_block: z.strictObject({ synced_from: SyncedFrom }),
  tab: z.strictObject({}),
} as const;
export type CreatableBlockType = keyof typeof CREATE_PAYLOADS;
export const CREATABLE_BLOCK_TYPES = Object.keys(CREATE_PAYLOADS) as CreatableBlockType[];

/** Types that exist in responses but cannot be created through the API. */
export const READ_ONLY_BLOCK_TYPES = [
  'child_page',
  'child_database',
  'link_preview',
  'unsupported',
  'meeting_notes',
  'transcription',
] as const;

function mediaUpdate(withName: boolean) {
  return z.strictObject({
    caption: Caption,
    external: ExternalRef.optional(),
    file_upload: FileUploadRef.optional(),
    ...(withName ? { name: z.string().optional() } : {}),
  });
}

/**
 * Update payloads by block type: only the fields Notion lets an update change. Types missing
 * here (column_list, child_page, …) cannot be changed with PATCH /v1/blocks/{id}.
 */
export const UPDATE_PAYLOADS: Partial<Record<string, z.ZodType>> = {
  paragraph: CREATE_PAYLOADS.paragraph.partial(),
  heading_1: heading.partial(),
  heading_2: heading.partial(),
  heading_3: heading.partial(),
  heading_4: heading.partial(),
  bulleted_list_item: plainText.partial(),
  numbered_list_item: plainText.partial(),
  quote: plainText.partial(),
  toggle: plainText.partial(),
  to_do: CREATE_PAYLOADS.to_do.partial(),
  template: CREATE_PAYLOADS.template.partial(),
  callout: CREATE_PAYLOADS.callout.partial(),
  code: CREATE_PAYLOADS.code.partial(),
  equation: CREATE_PAYLOADS.equation.partial(),
  divider: CREATE_PAYLOADS.divider,
  breadcrumb: CREATE_PAYLOADS.breadcrumb,
  tab: CREATE_PAYLOADS.tab,
  table_of_contents: CREATE_PAYLOADS.table_of_contents,
  link_to_page: LinkTarget,
  embed: CREATE_PAYLOADS.embed.partial(),
  bookmark: CREATE_PAYLOADS.bookmark.partial(),
  image: mediaUpdate(false),
  video: mediaUpdate(false),
  audio: mediaUpdate(false),
  pdf: mediaUpdate(false),
  file: mediaUpdate(true),
  table: z.strictObject({
    has_column_header: z.boolean().optional(),
    has_row_header: z.boolean().optional(),
  }),
  table_row: CREATE_PAYLOADS.table_row,
  column: CREATE_PAYLOADS.column,
  synced_block: CREATE_PAYLOADS.synced_block,
};
