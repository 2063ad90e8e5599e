/**
 * The package's schema and record values in Notion's public API form (pure).
 *
 * `@notionhq/workers/schema` declares properties (`{type: "text"}`, `{type: "select", options}`…)
 * and `@notionhq/workers/builder` writes values as Notion's internal text tokens
 * (`[[text, annotations]]`: a link is `["a", url]`, a date is the token `‣` with `["d", date]`,
 * a checkbox `Yes`/`No`, a multi-select its names joined by commas). These functions turn them
 * into the data-source properties and page property values /v1 takes.
 */
import { errors } from '../wire/errors.ts';

export type PropertyConfig = { type: string } & Record<string, unknown>;
export interface DatabaseDeclaration {
  key: string;
  config: {
    type: 'managed' | 'attached';
    initialTitle: string;
    primaryKeyProperty: string;
    schema: {
      properties: Record<string, PropertyConfig>;
      databaseIcon?: unknown;
      subItems?: unknown;
    };
  };
}

/** Property types of the package Octavo cannot hold yet; refused at deploy. */
const UNSUPPORTED = new Set(['people', 'place', 'relation']);

/** The reason a declared database cannot be deployed, or null. */
export function unsupportedSchema(db: DatabaseDeclaration): string | null {
  if (db.config.schema.subItems) return `database ${db.key}: subItems are not supported`;
  for (const [name, p] of Object.entries(db.config.schema.properties))
    if (UNSUPPORTED.has(p.type))
      return `database ${db.key}: property ${name} of type ${p.type} is not supported`;
  if (!(db.config.primaryKeyProperty in db.config.schema.properties))
    return `database ${db.key}: primaryKeyProperty ${db.config.primaryKeyProperty} is not in its schema`;
  return null;
}

const options = (list: unknown) =>
  ((list ?? []) as { name: string; color?: string }[]).map((o) => ({
    name: o.name,
    ...(o.color ? { color: o.color } : {}),
  }));

/** One declared property as a data-source property configuration. */
export function propertyConfig(p: PropertyConfig): Record<string, unknown> {
  switch (p.type) {
    case 'text':
      return { rich_text: {} };
    case 'file':
      return { files: {} };
    case 'number':
      return { number: p.format ? { format: p.format } : {} };
    case 'select':
    case 'multi_select':
      return { [p.type]: { options: options(p.options) } };
    case 'status':
      return {
        status: {
          options: options(((p.groups ?? []) as { options: unknown[] }[]).flatMap((g) => g.options)),
        },
      };
    default:
      return { [p.type]: {} };
  }
}

/** The API's property type a declared one becomes. */
export function apiType(p: PropertyConfig): string {
  return p.type === 'text' ? 'rich_text' : p.type === 'file' ? 'files' : p.type;
}

type Token = [string, ...unknown[]];
type DateValue = {
  type: 'date' | 'datetime' | 'daterange' | 'datetimerange';
  start_date: string;
  start_time?: string;
  end_date?: string;
  end_time?: string;
  time_zone?: string;
};

function annotationsOf(token: Token): [string, unknown][] {
  return (Array.isArray(token[1]) ? token[1] : []) as [string, unknown][];
}

function tokens(value: unknown, name: string): Token[] {
  if (!Array.isArray(value) || value.some((t) => !Array.isArray(t) || typeof t[0] !== 'string'))
    throw errors.validation(`The value of ${name} is not a text value of @notionhq/workers/builder.`);
  return value as Token[];
}

const plain = (list: Token[]) => list.map((t) => t[0]).join('');

function dateOf(d: DateValue) {
  const at = (date: string, time: string | undefined) =>
    time === undefined ? date : d.time_zone ? `${date}T${time}:00` : `${date}T${time}:00.000Z`;
  const end = d.end_date ? at(d.end_date, d.end_time) : null;
  return { start: at(d.start_date, d.start_time), end, ...(d.time_zone ? { time_zone: d.time_zone } : {}) };
}

function dateToken(list: Token[]): DateValue | null {
  for (const t of list) for (const [kind, v] of annotationsOf(t)) if (kind === 'd') return v as DateValue;
  return null;
}

const STYLE: Record<string, string> = {
  b: 'bold',
  i: 'italic',
  s: 'strikethrough',
  c: 'code',
  _: 'underline',
};

function richText(list: Token[]) {
  return list.map((t) => {
    const marks = annotationsOf(t);
    const date = marks.find(([k]) => k === 'd');
    if (date) return { type: 'mention', mention: { type: 'date', date: dateOf(date[1] as DateValue) } };
    const link = marks.find(([k]) => k === 'a');
    const annotations: Record<string, boolean> = {};
    for (const [k] of marks) if (STYLE[k]) annotations[STYLE[k]] = true;
    return {
      type: 'text',
      text: { content: t[0], ...(link ? { link: { url: String(link[1]) } } : {}) },
      ...(Object.keys(annotations).length ? { annotations } : {}),
    };
  });
}

/** A record's value of one declared property as a page property value. */
export function propertyValue(p: PropertyConfig, value: unknown, name: string): unknown {
  const list = tokens(value, name);
  const text = plain(list);
  switch (p.type) {
    case 'title':
      return { title: richText(list) };
    case 'text':
      return { rich_text: richText(list) };
    case 'url':
    case 'email':
    case 'phone_number':
      return { [p.type]: text === '' ? null : text };
    case 'checkbox':
      return { checkbox: text === 'Yes' };
    case 'number': {
      if (text === '') return { number: null };
      const n = Number(text);
      if (!Number.isFinite(n)) throw errors.validation(`The value of ${name} is not a number: ${text}.`);
      return { number: n };
    }
    case 'date': {
      const d = dateToken(list);
      return { date: d ? dateOf(d) : null };
    }
    case 'select':
    case 'status':
      return { [p.type]: text === '' ? null : { name: text } };
    case 'multi_select':
      return { multi_select: text === '' ? [] : text.split(',').map((n) => ({ name: n.trim() })) };
    case 'file':
      return {
        files: list.map((t) => {
          const link = annotationsOf(t).find(([k]) => k === 'a');
          const url = String(link?.[1] ?? t[0]);
          return { name: t[0].slice(0, 100), type: 'external', external: { url } };
        }),
      };
    default:
      throw errors.validation(`Property ${name} of type ${p.type} is not supported.`);
  }
}

/** The key as the primary key property's value (it must match each change's `key`). */
export function keyValue(p: PropertyConfig, key: string): unknown {
  return propertyValue(p, [[key]], 'the primary key');
}

/** An icon of the package as the API's icon. */
export function iconOf(icon: unknown): unknown {
  const i = icon as { type?: string; value?: string; url?: string; icon?: string; color?: string } | null;
  if (!i) return undefined;
  if (i.type === 'emoji') return { type: 'emoji', emoji: i.value };
  if (i.type === 'image') return { type: 'external', external: { url: i.url } };
  if (i.type === 'notion') return { type: 'icon', icon: { name: i.icon, color: i.color } };
  return undefined;
}

/** A cover of the package as the API's cover. */
export function coverOf(cover: unknown): unknown {
  const c = cover as { type?: string; url?: string } | null;
  return c?.type === 'image' ? { type: 'external', external: { url: c.url } } : undefined;
}
