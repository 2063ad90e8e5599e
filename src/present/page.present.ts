/** Pages on the wire. Field order follows Notion's responses. */

import type { Schema } from '../domain/properties/types.ts';
import type { StoredValues } from '../domain/properties/values.ts';
import { plainText, type RichText } from '../domain/rich-text.ts';
import { toMinute } from '../lib/clock.ts';
import { compactId } from '../lib/ids.ts';
import { arrayObjectStrings, type JsonEntry, type JsonSpan, jsonEntries } from '../lib/json-spans.ts';
import type { BlockRow } from '../store/store.ts';
import type { PageObjectResponse } from '../wire/responses.ts';
import { emitsArchived, hasDataSources } from '../wire/versions.ts';
import type { PresentContext } from './context.ts';
import { presentFileColumn } from './files.present.ts';
import { presentParent } from './parent.present.ts';
import { presentValues, presentValuesJson, schemaSplices } from './property-values.present.ts';
import { partialUser } from './user.present.ts';

type StoredProperties = Record<string, { id: string; type: string; [k: string]: unknown }>;

export function pageProperties(row: Pick<BlockRow, 'properties'>): StoredProperties {
  return row.properties ? (JSON.parse(row.properties) as StoredProperties) : {};
}

/** The page title as rich text (the value of its title property). */
export function pageTitle(row: Pick<BlockRow, 'properties'>): RichText {
  return titleIn(pageProperties(row));
}

function titleIn(props: StoredProperties): RichText {
  const title = Object.values(props).find((p) => p.type === 'title');
  return (title?.title as RichText | undefined) ?? [];
}

const ASCII = /^\p{ASCII}*$/u;
const NOT_WORD = /[^\p{L}\p{N}]+/gu;
const NOT_ASCII_WORD = /[^A-Za-z0-9]+/g;

/** `<public url>/p/<Title-With-Dashes>-<id without dashes>`, as Notion shapes page URLs. */
export function pageUrl(publicUrl: string, id: string, title: string): string {
  // An ASCII title (most) takes the plain pattern: in ASCII, letters and digits are exactly
  // A-Z, a-z and 0-9, and the Unicode-aware one costs several times more per page of a query.
  const words = ASCII.test(title) ? NOT_ASCII_WORD : NOT_WORD;
  const slug = title
    .replace(words, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${publicUrl}/p/${slug ? `${slug}-` : ''}${compactId(id)}`;
}

/** Where a database row lives: its data source's schema and ids. */
export interface RowSource {
  schema: Schema;
  dataSourceId: string;
  databaseId: string;
  /** Values of computed properties (formulas) of this row, as rendered, by property id. */
  computed?: ReadonlyMap<string, unknown>;
}

/** A page outside any database has one property, its title. */
const PAGE_SCHEMA: Schema = [{ id: 'title', name: 'title', description: null, type: 'title', title: {} }];

function presentPageParent(row: BlockRow, ctx: PresentContext, source: RowSource | undefined) {
  if (row.parent_type !== 'data_source_id' || !source) return presentParent(row);
  if (!hasDataSources(ctx.version)) return { type: 'database_id' as const, database_id: source.databaseId };
  return {
    type: 'data_source_id' as const,
    data_source_id: source.dataSourceId,
    database_id: source.databaseId,
  };
}

/** The page object's fields before `properties`, in Notion's order. */
function pageHead(row: BlockRow, ctx: PresentContext, source: RowSource | undefined) {
  return {
    object: 'page' as const,
    id: row.id,
    created_time: toMinute(row.created_time),
    last_edited_time: toMinute(row.last_edited_time),
    created_by: partialUser(row.created_by),
    last_edited_by: partialUser(row.last_edited_by),
    cover: presentFileColumn(row.cover, ctx),
    icon: presentFileColumn(row.icon, ctx),
    parent: presentPageParent(row, ctx, source) as PageObjectResponse['parent'],
    in_trash: row.in_trash === 1,
    is_archived: false,
    is_locked: row.is_locked === 1,
  };
}

/**
 * A page object. `source` is given for database rows; `only` limits `properties` to these
 * property ids (`filter_properties`).
 */
export function presentPage(
  row: BlockRow,
  ctx: PresentContext,
  source?: RowSource,
  only?: ReadonlySet<string>,
): PageObjectResponse {
  // Parsed once: the values and the title in the URL both come from it.
  const stored = pageProperties(row);
  // `archived` is added last only where the version has it: deleting a key afterwards made every
  // page object a slow dictionary for JSON.stringify.
  const page = pageHead(row, ctx, source) as Omit<PageObjectResponse, 'archived'> & { archived?: boolean };
  page.properties = presentValues(
    source?.schema ?? PAGE_SCHEMA,
    stored as StoredValues,
    row,
    only,
    ctx,
    source?.computed,
  ) as PageObjectResponse['properties'];
  page.url = pageUrl(ctx.publicUrl, row.id, plainText(titleIn(stored)));
  page.public_url = null;
  if (emitsArchived(ctx.version)) page.archived = row.in_trash === 1;
  return page as PageObjectResponse;
}

/**
 * The JSON text of `presentPage(row, ctx, source, only)`, the same bytes as `JSON.stringify` of
 * it, made without parsing the stored properties where their text can be spliced
 * (present/property-values.present.ts `presentValuesJson`); otherwise by that very call.
 */
export function presentPageJson(
  row: BlockRow,
  ctx: PresentContext,
  source?: RowSource,
  only?: ReadonlySet<string>,
): string {
  const text = row.properties ?? '{}';
  const schema = source?.schema ?? PAGE_SCHEMA;
  const entries = jsonEntries(text);
  if (!entries || !schemaSplices(schema)) return JSON.stringify(presentPage(row, ctx, source, only));
  const properties = presentValuesJson(schema, text, entries, row, only, ctx, source?.computed);
  const url = JSON.stringify(pageUrl(ctx.publicUrl, row.id, titleOfText(text, entries)));
  const archived = emitsArchived(ctx.version) ? `,"archived":${row.in_trash === 1}` : '';
  return `${pageHeadJson(row, ctx, source)},"properties":${properties},"url":${url},"public_url":null${archived}}`;
}

/**
 * `JSON.stringify(pageHead(row, ctx, source))` without its closing brace, written field by field
 * (the same keys in the same order, each value by `JSON.stringify`): no object per page and its
 * users and parent to build and walk.
 */
function pageHeadJson(row: BlockRow, ctx: PresentContext, source: RowSource | undefined): string {
  const json = JSON.stringify;
  const cover = row.cover === null ? 'null' : json(presentFileColumn(row.cover, ctx));
  const icon = row.icon === null ? 'null' : json(presentFileColumn(row.icon, ctx));
  return `{"object":"page","id":${json(row.id)},"created_time":${json(toMinute(row.created_time))},"last_edited_time":${json(toMinute(row.last_edited_time))},"created_by":{"object":"user","id":${json(row.created_by)}},"last_edited_by":{"object":"user","id":${json(row.last_edited_by)}},"cover":${cover},"icon":${icon},"parent":${parentJson(row, ctx, source)},"in_trash":${row.in_trash === 1},"is_archived":false,"is_locked":${row.is_locked === 1}`;
}

/** `JSON.stringify(presentPageParent(row, ctx, source))`; the rows of one source share theirs. */
function parentJson(row: BlockRow, ctx: PresentContext, source: RowSource | undefined): string {
  if (row.parent_type !== 'data_source_id' || !source)
    return JSON.stringify(presentPageParent(row, ctx, source));
  const known = parentTexts.get(source);
  if (known?.version === ctx.version) return known.json;
  const json = JSON.stringify(presentPageParent(row, ctx, source));
  parentTexts.set(source, { version: ctx.version, json });
  return json;
}

const parentTexts = new WeakMap<RowSource, { version: string; json: string }>();

/**
 * The plain text of the title (`titleIn`) from the stored text: the `plain_text` of its items read
 * from their text (lib/json-spans.ts `arrayObjectStrings`), or the title's entry parsed when that
 * cannot say.
 */
function titleOfText(text: string, entries: readonly JsonEntry[]): string {
  for (const e of entries) {
    for (const v of e.values) {
      if (v.key !== 'type') continue;
      if (text.slice(v.start, v.end) !== '"title"') break;
      let value: JsonSpan | undefined;
      for (const w of e.values) if (w.key === 'title') value = w;
      if (!value) return '';
      const texts = arrayObjectStrings(text, value.start, value.end, 'plain_text');
      if (texts) return texts.join('');
      const entry = JSON.parse(text.slice(e.start, e.end)) as { title?: RichText };
      return plainText(entry.title ?? []);
    }
  }
  return '';
}

/**
 * Whether the JSON `presentPageJson` writes for a row may hold a rich-text mention: only when its
 * stored properties do (titles and rich text are written from them) or when it has computed values
 * (a rollup may show another page's rich text). The stored text is read, not the page's JSON: a
 * mention stored is `{"type":"mention","mention":…}`, so its text holds `mention` whatever the
 * keys' order and spacing — or a `\u` escape, the only way JSON can write a letter otherwise
 * (text not written by `JSON.stringify`). (Searched without quotes: V8 finds a pattern by its
 * first character, and a quote is everywhere in JSON; 5 times slower.) A row said to have none
 * surely has none; one said to may is scanned by the caller.
 */
export function pageMayHoldMention(row: BlockRow, source?: RowSource): boolean {
  if ((source?.computed?.size ?? 0) > 0) return true;
  const text = row.properties ?? '';
  return text.includes('mention') || text.includes('\\u');
}
