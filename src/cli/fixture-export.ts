/**
 * `octavo fixture export`: everything a token can see on a server that speaks Notion's API
 * (Notion itself, or another Octavo), read through the official SDK and written as a fixture
 * (ops/fixture.ts) that `octavo seed` makes again: the token's integration (with a new made-up
 * token, never the one given), people with their emails (not a source Octavo's own admin
 * person, which every Octavo has), pages with their blocks, databases
 * with their schemas and rows, ids kept.
 *
 * What a fixture cannot say is left out and counted in `skipped` (the command prints it): files
 * hosted by the server (their bytes are not exported), databases at the top of the workspace,
 * property types that are computed or name other objects (formula, rollup, relation, status,
 * unique_id, created/edited time and by, button, verification), people without a visible email,
 * and block types that cannot be written (child pages and databases come as `pages` and
 * `databases`; unsupported, synced, link previews, …).
 */
import { randomBytes } from 'node:crypto';
import {
  type BlockObjectResponse,
  type Client,
  collectPaginatedAPI,
  type DataSourceObjectResponse,
  isFullBlock,
  isFullDataSource,
  isFullPage,
  isFullUser,
  type PageObjectResponse,
} from '@notionhq/client';
import type { Fixture, FixtureDatabase, FixturePage, FixtureRow } from '../ops/fixture.ts';
import { ADMIN_EMAIL } from '../ops/workspace.ts';

type Json = Record<string, unknown>;

/** Called after each object read, with how many are done and how many are known so far. */
export type ExportProgress = (done: number, known: number) => void;

export interface ExportResult {
  fixture: Fixture;
  /** What was left out, by kind: `property formula`, `block file (hosted)`, `top-level database`, … */
  skipped: Record<string, number>;
}

/** Property types a fixture schema can declare and a row can carry back. */
const VALUE_TYPES = new Set([
  'title',
  'rich_text',
  'number',
  'select',
  'multi_select',
  'date',
  'checkbox',
  'url',
  'email',
  'phone_number',
  'people',
]);

/** Block types written back as they are read (their payload, rich text made request-shaped). */
const BLOCK_TYPES = new Set([
  'paragraph',
  'heading_1',
  'heading_2',
  'heading_3',
  'bulleted_list_item',
  'numbered_list_item',
  'to_do',
  'toggle',
  'quote',
  'callout',
  'code',
  'divider',
  'equation',
  'bookmark',
  'embed',
  'table_of_contents',
  'breadcrumb',
  'column_list',
  'column',
  'table',
  'table_row',
  'image',
  'video',
  'audio',
  'file',
  'pdf',
]);
const MEDIA = new Set(['image', 'video', 'audio', 'file', 'pdf']);

/** A rich-text item as a request carries it: no plain_text or href. */
function richText(items: unknown): Json[] {
  return (items as Json[]).map((item) => {
    const { plain_text: _p, href: _h, ...rest } = item;
    const annotations = rest.annotations as Json | undefined;
    if (annotations && Object.entries(annotations).every(([k, v]) => (k === 'color' ? v === 'default' : !v)))
      delete rest.annotations;
    if (rest.type === 'mention') {
      const mention = rest.mention as Json;
      // Only the forms a request may write; others become their text.
      if (!['page', 'user', 'date', 'database'].includes(String(mention.type)))
        return { type: 'text', text: { content: String(item.plain_text ?? '') } };
      const kind = String(mention.type);
      const value = mention[kind] as Json;
      return { ...rest, mention: { [kind]: kind === 'date' ? value : { id: value.id } } };
    }
    return rest;
  });
}

function plain(items: unknown): string {
  return ((items as { plain_text: string }[] | undefined) ?? []).map((t) => t.plain_text).join('');
}

/** An icon or cover as a request writes it (external and emoji; hosted files are skipped). */
function media(value: unknown): Json | undefined {
  const v = value as Json | null | undefined;
  if (!v) return undefined;
  if (v.type === 'emoji') return { type: 'emoji', emoji: v.emoji };
  if (v.type === 'external') return { type: 'external', external: { url: (v.external as Json).url } };
  return undefined;
}

export async function exportFixture(notion: Client, progress?: ExportProgress): Promise<ExportResult> {
  const skipped: Record<string, number> = {};
  const skip = (what: string) => {
    skipped[what] = (skipped[what] ?? 0) + 1;
  };
  let done = 0;
  let known = 0;
  const step = () => progress?.(++done, Math.max(known, done));

  const me = await notion.users.me({});
  const users = (await collectPaginatedAPI(notion.users.list, {})).filter(isFullUser);
  const people = users.flatMap((u) => {
    // Every Octavo has its own admin person; the one of the source is not the target's.
    if (u.type !== 'person' || u.person.email === ADMIN_EMAIL) return [];
    if (!u.person.email) {
      skip('person without a visible email');
      return [];
    }
    return [{ id: u.id, name: u.name ?? u.person.email, email: u.person.email }];
  });

  const found = await collectPaginatedAPI(notion.search, {});
  known = found.length;
  const pages = new Map<string, PageObjectResponse>();
  const sources = new Map<string, DataSourceObjectResponse>();
  for (const o of found) {
    if (isFullPage(o)) pages.set(o.id, o);
    else if (isFullDataSource(o)) sources.set(o.id, o);
  }

  /** A block tree as request-shaped children, with ids; child pages and databases are left to the tree. */
  async function children(blockId: string): Promise<Json[]> {
    const blocks = (await collectPaginatedAPI(notion.blocks.children.list, { block_id: blockId })).filter(
      isFullBlock,
    );
    const out: Json[] = [];
    for (const b of blocks) {
      const block = await blockRequest(b);
      if (block) out.push(block);
    }
    return out;
  }

  async function blockRequest(b: BlockObjectResponse): Promise<Json | undefined> {
    if (b.type === 'child_page' || b.type === 'child_database') return undefined;
    if (!BLOCK_TYPES.has(b.type)) {
      skip(`block ${b.type}`);
      return undefined;
    }
    // Null fields (an absent icon, …) are how answers say "none"; requests leave them out.
    const payload = Object.fromEntries(
      Object.entries((b as unknown as Json)[b.type] as Json).filter(([, v]) => v !== null),
    );
    if (MEDIA.has(b.type)) {
      if (payload.type !== 'external') {
        skip(`block ${b.type} (hosted file)`);
        return undefined;
      }
      payload.external = { url: (payload.external as Json).url };
      delete payload.file;
    }
    for (const key of ['rich_text', 'caption'])
      if (Array.isArray(payload[key])) payload[key] = richText(payload[key]);
    if (b.type === 'table_row') payload.cells = (payload.cells as unknown[][]).map(richText);
    if (b.type === 'callout' && payload.icon !== undefined) {
      const icon = media(payload.icon);
      if (icon) payload.icon = icon;
      else delete payload.icon;
    }
    if (b.has_children) {
      const nested = await children(b.id);
      if (nested.length > 0) payload.children = nested;
    }
    return { id: b.id, type: b.type, [b.type]: payload };
  }

  function rowValues(page: PageObjectResponse, schema: Set<string>): Json {
    const out: Json = {};
    for (const [name, value] of Object.entries(page.properties)) {
      if (!schema.has(name)) continue;
      const v = value as Json;
      const t = String(v.type);
      const raw = v[t];
      if (raw === null || raw === undefined) continue;
      switch (t) {
        case 'title':
        case 'rich_text':
          out[name] = { [t]: richText(raw) };
          break;
        case 'select':
          out[name] = { select: { name: (raw as Json).name } };
          break;
        case 'multi_select':
          out[name] = { multi_select: (raw as Json[]).map((o) => ({ name: o.name })) };
          break;
        case 'people':
          out[name] = { people: (raw as Json[]).map((p) => ({ id: p.id })) };
          break;
        case 'date': {
          const d = raw as Json;
          out[name] = {
            date: {
              start: d.start,
              ...(d.end ? { end: d.end } : {}),
              ...(d.time_zone ? { time_zone: d.time_zone } : {}),
            },
          };
          break;
        }
        default:
          out[name] = { [t]: raw };
      }
    }
    return out;
  }

  function schemaOf(source: DataSourceObjectResponse): { properties: Json; kept: Set<string> } {
    const properties: Json = {};
    const kept = new Set<string>();
    for (const [name, prop] of Object.entries(source.properties)) {
      const p = prop as unknown as Json;
      const t = String(p.type);
      if (!VALUE_TYPES.has(t)) {
        skip(`property ${t}`);
        continue;
      }
      const config = { ...((p[t] as Json | undefined) ?? {}) };
      if (t === 'select' || t === 'multi_select')
        config.options = ((config.options as Json[] | undefined) ?? []).map((o) => ({
          name: o.name,
          color: o.color,
        }));
      properties[name] = { [t]: config };
      kept.add(name);
    }
    return { properties, kept };
  }

  const parentOf = (o: { parent: unknown }) => o.parent as Json;
  /** Pages and data sources whose parent is not visible are the fixture's top level. */
  const childPages = (id: string) => [...pages.values()].filter((p) => parentOf(p).page_id === id);
  const childSources = (id: string) =>
    [...sources.values()].filter(
      (s) => (s as unknown as { database_parent?: Json }).database_parent?.page_id === id,
    );

  async function pageFixture(page: PageObjectResponse): Promise<FixturePage> {
    step();
    const titleProp = Object.values(page.properties).find((p) => p.type === 'title') as Json | undefined;
    const out: FixturePage = { id: page.id, title: plain(titleProp?.title) };
    const icon = media(page.icon);
    const cover = media(page.cover);
    if (icon) out.icon = icon;
    if (cover) out.cover = cover;
    const blocks = await children(page.id);
    if (blocks.length > 0) out.children = blocks;
    const subpages = [];
    for (const p of childPages(page.id)) subpages.push(await pageFixture(p));
    if (subpages.length > 0) out.pages = subpages;
    const databases = [];
    for (const s of childSources(page.id)) databases.push(await databaseFixture(s));
    if (databases.length > 0) out.databases = databases;
    return out;
  }

  async function databaseFixture(source: DataSourceObjectResponse): Promise<FixtureDatabase> {
    step();
    const { properties, kept } = schemaOf(source);
    const parent = parentOf(source);
    const out: FixtureDatabase = {
      id: String(parent.database_id),
      data_source_id: source.id,
      title: plain(source.title),
      properties,
    };
    const rows: FixtureRow[] = [];
    for (const row of [...pages.values()].filter((p) => parentOf(p).data_source_id === source.id)) {
      step();
      const r: FixtureRow = { id: row.id, properties: rowValues(row, kept) };
      const icon = media(row.icon);
      if (icon) r.icon = icon;
      const blocks = await children(row.id);
      if (blocks.length > 0) r.children = blocks;
      rows.push(r);
    }
    if (rows.length > 0) out.rows = rows;
    return out;
  }

  const visible = (id: unknown) => typeof id === 'string' && pages.has(id);
  const top: FixturePage[] = [];
  for (const p of pages.values()) {
    const parent = parentOf(p);
    if (parent.type === 'data_source_id' || visible(parent.page_id)) continue;
    top.push(await pageFixture(p));
  }
  for (const s of sources.values()) {
    const dbParent = (s as unknown as { database_parent?: Json }).database_parent;
    if (!visible(dbParent?.page_id)) skip('top-level database');
  }
  const botName = me.name ?? 'Exported integration';
  for (const p of top) p.shared_with = [botName];
  const fixture: Fixture = {
    version: 1,
    integrations: [{ name: botName, token: `ntn_fixture${randomBytes(18).toString('hex')}` }],
    ...(people.length > 0 ? { users: people } : {}),
    pages: top,
  };
  return { fixture, skipped };
}
