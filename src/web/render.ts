/**
 * HTML presenters of the read-only browser view, beside the JSON ones: they take the wire objects
 * the JSON presenters make (pages, blocks, databases, data sources, property values) and render
 * them as escaped HTML (web/html.ts). Pure: names of users and titles of linked objects come in
 * resolved (`Names`), hosted files already carry signed URLs.
 */
import { plainText, type RichText } from '../domain/rich-text.ts';
import { MAX_BROWSE_BLOCKS } from '../ops/browse.ts';
import { pageUrl } from '../present/page.present.ts';
import { type Html, html, trusted } from './html.ts';

type J = { readonly [k: string]: unknown };

const obj = (v: unknown): J => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as J) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Titles of objects and names of users that a rendering names, as the reader sees them. */
export interface Names {
  /** The base of links to pages: the public URL's path ('' at the root). */
  publicUrl: string;
  titles: ReadonlyMap<string, string>;
  userNames: ReadonlyMap<string, string>;
}

/** A URL safe to put in `href`/`src`: http(s), mailto, tel, or a path on this server; else null. */
export function safeUrl(raw: string): string | null {
  if (raw.startsWith('/') && !raw.startsWith('//')) return raw;
  try {
    const url = new URL(raw);
    return ['http:', 'https:', 'mailto:', 'tel:'].includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

const link = (href: string, text: Html | string, cls?: string): Html => {
  const safe = safeUrl(href);
  return safe ? html`<a href="${safe}"${cls ? html` class="${cls}"` : null}>${text}</a>` : html`${text}`;
};

const color = (c: unknown): string | null => {
  const v = str(c);
  return v && v !== 'default' && /^[a-z_]+$/.test(v) ? v : null;
};

/** One rich-text run with its annotations and link. */
function richItem(item: J): Html {
  const a = obj(item.annotations);
  let out: Html =
    item.type === 'equation'
      ? html`<code class="equation">${str(obj(item.equation).expression)}</code>`
      : html`${str(item.plain_text)}`;
  if (a.code) out = html`<code>${out}</code>`;
  if (a.bold) out = html`<strong>${out}</strong>`;
  if (a.italic) out = html`<em>${out}</em>`;
  if (a.strikethrough) out = html`<s>${out}</s>`;
  if (a.underline) out = html`<u>${out}</u>`;
  const c = color(a.color);
  if (c) out = html`<span class="c-${c}">${out}</span>`;
  const href = str(item.href);
  return href ? link(href, out) : out;
}

export function richText(items: unknown): Html {
  return html`${arr(items).map((i) => richItem(obj(i)))}`;
}

/** An icon: an emoji as text, anything with a URL as a small image. */
export function icon(value: unknown, cls = 'icon'): Html | null {
  const v = obj(value);
  if (v.type === 'emoji') return html`<span class="${cls}" aria-hidden="true">${str(v.emoji)}</span>`;
  const url = fileUrl(v);
  const src = url ? safeUrl(url) : null;
  return src ? html`<img class="${cls}" src="${src}" alt="">` : null;
}

/** The URL of a file object (`external`, `file` or `custom_emoji`), or ''. */
function fileUrl(v: J): string {
  const t = str(v.type);
  return str(obj(v[t]).url);
}

export interface WireNode {
  block: J;
  children: WireNode[];
}

interface BlockContext {
  names: Names;
  /** The page's headings, for a table of contents. */
  headings: { id: string; level: number; text: string }[];
  /** The page's ancestors and itself, for a breadcrumb. */
  trail: { title: string; url: string }[];
}

const HEADING_LEVEL: Record<string, number> = { heading_1: 2, heading_2: 3, heading_3: 4, heading_4: 5 };
const LIST: Record<string, 'ul' | 'ol'> = { bulleted_list_item: 'ul', numbered_list_item: 'ol' };

/** Every heading in the tree, in reading order. */
export function headingsOf(nodes: WireNode[]): BlockContext['headings'] {
  const out: BlockContext['headings'] = [];
  const walk = (list: WireNode[]) => {
    for (const n of list) {
      const type = str(n.block.type);
      const level = HEADING_LEVEL[type];
      if (level)
        out.push({
          id: str(n.block.id),
          level,
          text: plainText(arr(obj(n.block[type]).rich_text) as RichText),
        });
      walk(n.children);
    }
  };
  walk(nodes);
  return out;
}

/** Blocks in order; consecutive list items of one kind share a list element. */
function blocks(nodes: WireNode[], ctx: BlockContext): Html {
  const out: Html[] = [];
  for (let i = 0; i < nodes.length; ) {
    const kind = LIST[str(nodes[i]!.block.type)];
    if (!kind) {
      out.push(block(nodes[i]!, ctx));
      i++;
      continue;
    }
    const items: Html[] = [];
    while (i < nodes.length && LIST[str(nodes[i]!.block.type)] === kind) {
      const n = nodes[i]!;
      const p = obj(n.block[str(n.block.type)]);
      items.push(html`<li${colorClass(p.color)}>${richText(p.rich_text)}${children(n, ctx)}</li>`);
      i++;
    }
    out.push(kind === 'ul' ? html`<ul>${items}</ul>` : html`<ol>${items}</ol>`);
  }
  return html`${out}`;
}

const colorClass = (c: unknown): Html | null => {
  const v = color(c);
  return v ? html` class="c-${v}"` : null;
};

const children = (n: WireNode, ctx: BlockContext): Html | null =>
  n.children.length > 0 ? html`<div class="children">${blocks(n.children, ctx)}</div>` : null;

function caption(p: J): Html | null {
  const c = arr(p.caption);
  return c.length > 0 ? html`<figcaption>${richText(c)}</figcaption>` : null;
}

/** An image, video or audio element for media with a URL; any other file is a link. */
function media(type: string, p: J): Html {
  const url = fileUrl(p);
  const src = safeUrl(url);
  const name = str(p.name) || url.split('?')[0]!.split('/').pop() || type;
  if (!src) return html`<figure class="media">${name}${caption(p)}</figure>`;
  const alt = plainText(arr(p.caption) as RichText);
  if (type === 'image')
    return html`<figure class="media"><img src="${src}" alt="${alt}">${caption(p)}</figure>`;
  if (type === 'video' && p.type === 'file')
    return html`<figure class="media"><video controls preload="metadata" src="${src}"></video>${caption(p)}</figure>`;
  if (type === 'audio')
    return html`<figure class="media"><audio controls preload="metadata" src="${src}"></audio>${caption(p)}</figure>`;
  return html`<figure class="media file">${link(src, `${type === 'pdf' ? 'PDF: ' : ''}${name}`)}${caption(p)}</figure>`;
}

function table(n: WireNode, p: J): Html {
  const colHeader = p.has_column_header === true;
  const rowHeader = p.has_row_header === true;
  const rows = n.children.map((r, i) => {
    const cells = arr(obj(r.block.table_row).cells).map((cell, j) =>
      (colHeader && i === 0) || (rowHeader && j === 0)
        ? html`<th scope="${i === 0 && colHeader ? 'col' : 'row'}">${richText(cell)}</th>`
        : html`<td>${richText(cell)}</td>`,
    );
    return html`<tr>${cells}</tr>`;
  });
  return html`<div class="table-wrap"><table class="block-table">${rows}</table></div>`;
}

function block(n: WireNode, ctx: BlockContext): Html {
  const b = n.block;
  const type = str(b.type);
  const p = obj(b[type]);
  const id = str(b.id);
  const { publicUrl } = ctx.names;
  switch (type) {
    case 'paragraph':
      return html`<p${colorClass(p.color)}>${icon(p.icon)}${richText(p.rich_text)}</p>${children(n, ctx)}`;
    case 'heading_1':
    case 'heading_2':
    case 'heading_3':
    case 'heading_4': {
      const level = HEADING_LEVEL[type]!;
      const text = richText(p.rich_text);
      const h = html`<h${level} id="b-${id}"${colorClass(p.color)}>${text}</h${level}>`;
      if (p.is_toggleable)
        return html`<details class="toggle"><summary>${h}</summary>${children(n, ctx)}</details>`;
      return html`${h}${children(n, ctx)}`;
    }
    case 'to_do': {
      const checked = p.checked === true;
      return html`<div class="todo${checked ? ' done' : ''}"><label><input type="checkbox" disabled${checked ? html` checked` : null}> <span>${richText(p.rich_text)}</span></label>${children(n, ctx)}</div>`;
    }
    case 'toggle':
      return html`<details class="toggle"><summary>${richText(p.rich_text)}</summary>${children(n, ctx)}</details>`;
    case 'quote':
      return html`<blockquote${colorClass(p.color)}>${richText(p.rich_text)}${children(n, ctx)}</blockquote>`;
    case 'callout':
      return html`<div class="callout" role="note">${icon(p.icon)}<div>${richText(p.rich_text)}${children(n, ctx)}</div></div>`;
    case 'code': {
      const language = str(p.language);
      return html`<figure class="code"><pre><code data-language="${language}">${plainText(arr(p.rich_text) as RichText)}</code></pre>${caption(p)}</figure>`;
    }
    case 'equation':
      return html`<div class="equation"><code>${str(p.expression)}</code></div>`;
    case 'divider':
      return html`<hr>`;
    case 'bookmark':
    case 'embed':
    case 'link_preview': {
      const url = str(p.url);
      return html`<figure class="bookmark">${link(url, url)}${caption(p)}</figure>`;
    }
    case 'image':
    case 'video':
    case 'audio':
    case 'pdf':
    case 'file':
      return media(type, p);
    case 'table':
      return table(n, p);
    case 'column_list':
      return html`<div class="columns">${n.children.map((col) => {
        const ratio = Number(obj(col.block.column).width_ratio);
        const grow = Number.isFinite(ratio) && ratio > 0 ? ratio : 1;
        return html`<div class="column" style="flex: ${grow} 1 0">${blocks(col.children, ctx)}</div>`;
      })}</div>`;
    case 'column':
      return html`<div class="column">${blocks(n.children, ctx)}</div>`;
    case 'synced_block':
      return html`<div class="synced">${blocks(n.children, ctx)}</div>`;
    case 'child_page':
    case 'child_database': {
      const title = str(p.title);
      const mark = type === 'child_page' ? '📄' : '🗃';
      return html`<p class="child">${link(pageUrl(publicUrl, id, title), html`<span aria-hidden="true">${mark}</span> ${title || 'Untitled'}`)}</p>`;
    }
    case 'link_to_page': {
      const target = str(p[str(p.type)]);
      const title = ctx.names.titles.get(target) ?? '';
      return html`<p class="child">${link(pageUrl(publicUrl, target, title), html`<span aria-hidden="true">↗</span> ${title || 'Untitled'}`)}</p>`;
    }
    case 'table_of_contents':
      return html`<nav class="toc" aria-label="Contents"><ul>${ctx.headings.map(
        (h) => html`<li class="toc-${h.level}"><a href="#b-${h.id}">${h.text || 'Untitled'}</a></li>`,
      )}</ul></nav>`;
    case 'breadcrumb':
      return html`<nav class="breadcrumb" aria-label="Breadcrumb">${ctx.trail.map(
        (t, i) => html`${i > 0 ? ' / ' : ''}${link(t.url, t.title || 'Untitled')}`,
      )}</nav>`;
    default:
      // Blocks with nothing to show in a browser (templates, tabs, meeting notes, unsupported).
      return html`<div class="unsupported"><span class="muted">${type.replace(/_/g, ' ')}</span>${children(n, ctx)}</div>`;
  }
}

/** A date value: start, end and time zone. */
function dateText(v: unknown): string {
  const d = obj(v);
  if (!d.start) return '';
  return `${str(d.start)}${d.end ? ` → ${str(d.end)}` : ''}${d.time_zone ? ` (${str(d.time_zone)})` : ''}`;
}

const userName = (names: Names, u: unknown): string => names.userNames.get(str(obj(u).id)) ?? 'Unknown user';

const tag = (o: unknown): Html => {
  const v = obj(o);
  return html`<span class="tag${color(v.color) ? ` c-bg-${color(v.color)}` : ''}">${str(v.name)}</span>`;
};

/** A formula or rollup result, or a rollup array item: typed `{type, [type]: value}`. */
function typedValue(v: J, names: Names): Html {
  const t = str(v.type);
  const inner = v[t];
  switch (t) {
    case 'string':
      return html`${str(inner)}`;
    case 'number':
      return html`${typeof inner === 'number' ? String(inner) : ''}`;
    case 'boolean':
      return checkbox(inner === true);
    case 'date':
      return html`${dateText(inner)}`;
    case 'array':
      return html`${arr(inner).map((x, i) => html`${i > 0 ? ', ' : ''}${propertyValue(obj(x), names)}`)}`;
    default:
      return propertyValue(v, names);
  }
}

const checkbox = (checked: boolean): Html =>
  html`<input type="checkbox" disabled aria-label="${checked ? 'Yes' : 'No'}"${checked ? html` checked` : null}>`;

const CURRENCIES: Record<string, string> = {
  dollar: 'USD',
  australian_dollar: 'AUD',
  canadian_dollar: 'CAD',
  singapore_dollar: 'SGD',
  euro: 'EUR',
  pound: 'GBP',
  yen: 'JPY',
  ruble: 'RUB',
  rupee: 'INR',
  won: 'KRW',
  yuan: 'CNY',
  real: 'BRL',
  lira: 'TRY',
  rupiah: 'IDR',
  franc: 'CHF',
  hong_kong_dollar: 'HKD',
  new_zealand_dollar: 'NZD',
  krona: 'SEK',
  norwegian_krone: 'NOK',
  mexican_peso: 'MXN',
  rand: 'ZAR',
  new_taiwan_dollar: 'TWD',
  danish_krone: 'DKK',
  zloty: 'PLN',
  baht: 'THB',
  forint: 'HUF',
  koruna: 'CZK',
  shekel: 'ILS',
  chilean_peso: 'CLP',
  philippine_peso: 'PHP',
  dirham: 'AED',
  colombian_peso: 'COP',
  riyal: 'SAR',
  ringgit: 'MYR',
  leu: 'RON',
  argentine_peso: 'ARS',
  uruguayan_peso: 'UYU',
  peruvian_sol: 'PEN',
};

/** A number in its property's format (`number.format` of the schema): grouping, percent, currency. */
export function formatNumber(n: number, format: string | undefined): string {
  if (!Number.isFinite(n)) return String(n);
  if (format === 'number_with_commas') return n.toLocaleString('en-US', { maximumFractionDigits: 20 });
  if (format === 'percent') return n.toLocaleString('en-US', { style: 'percent', maximumFractionDigits: 18 });
  const currency = format ? CURRENCIES[format] : undefined;
  if (currency) return n.toLocaleString('en-US', { style: 'currency', currency });
  return String(n);
}

/**
 * The value of one property (`{id, type, [type]: value}` as a page object holds it); `schema` is
 * the property's definition when known (for number formats).
 */
export function propertyValue(prop: J, names: Names, schema?: J): Html {
  const type = str(prop.type);
  const v = prop[type];
  switch (type) {
    case 'title':
    case 'rich_text':
      return richText(v);
    case 'number': {
      const format = schema ? str(obj(schema.number).format) || undefined : undefined;
      return html`${typeof v === 'number' ? formatNumber(v, format) : ''}`;
    }
    case 'select':
    case 'status':
      return v ? tag(v) : html``;
    case 'multi_select':
      return html`${arr(v).map(tag)}`;
    case 'date':
      return html`${dateText(v)}`;
    case 'people':
      return html`${arr(v).map((u, i) => html`${i > 0 ? ', ' : ''}${userName(names, u)}`)}`;
    case 'created_by':
    case 'last_edited_by':
      return html`${userName(names, v)}`;
    case 'files':
      return html`${arr(v).map((f, i) => {
        const file = obj(f);
        return html`${i > 0 ? ', ' : ''}${link(fileUrl(file), str(file.name) || 'file')}`;
      })}`;
    case 'checkbox':
      return checkbox(v === true);
    case 'url':
      return v ? link(str(v), str(v)) : html``;
    case 'email':
      return v ? link(`mailto:${str(v)}`, str(v)) : html``;
    case 'phone_number':
      return v ? link(`tel:${str(v).replace(/[^0-9+]/g, '')}`, str(v)) : html``;
    case 'relation':
      return html`${arr(v).map((r, i) => {
        const id = str(obj(r).id);
        const title = names.titles.get(id) ?? '';
        return html`${i > 0 ? ', ' : ''}${link(pageUrl(names.publicUrl, id, title), title || 'Untitled')}`;
      })}${prop.has_more ? ' …' : ''}`;
    case 'formula':
    case 'rollup':
      return v ? typedValue(obj(v), names) : html``;
    case 'created_time':
    case 'last_edited_time':
    case 'last_visited_time':
      return html`${str(v)}`;
    case 'unique_id': {
      const u = obj(v);
      if (typeof u.number !== 'number') return html``;
      return html`${u.prefix ? `${str(u.prefix)}-` : ''}${String(u.number)}`;
    }
    case 'verification':
      return html`${str(obj(v).state)}`;
    case 'button':
      return html``;
    case 'place':
    case 'location': {
      const p = obj(v);
      const text = str(p.name) || str(p.address) || (p.lat !== undefined ? `${p.lat}, ${p.lon}` : '');
      return html`${text}`;
    }
    default:
      return html`${v === null || v === undefined ? '' : JSON.stringify(v)}`;
  }
}

/** A page's or database's header: cover, icon, title. */
function header(o: J, title: Html, trail: BlockContext['trail']): Html {
  const coverUrl = fileUrl(obj(o.cover));
  const cover = coverUrl ? safeUrl(coverUrl) : null;
  return html`${trail.length > 1 ? html`<nav class="breadcrumb" aria-label="Breadcrumb">${trail.slice(0, -1).map((t) => html`${link(t.url, t.title || 'Untitled')} / `)}</nav>` : null}
${cover ? html`<img class="cover" src="${cover}" alt="">` : null}
<header class="page-head">${icon(o.icon, 'page-icon')}<h1>${title}</h1></header>
${o.in_trash ? html`<p class="notice" role="status">This is in the trash.</p>` : null}`;
}

/** A page: header, its properties (a database row has more than its title), its content. */
export function pageView(input: {
  page: J;
  content: WireNode[];
  truncated: boolean;
  trail: BlockContext['trail'];
  names: Names;
  /** A database row's property definitions by name (the data source's `properties`). */
  schema?: J;
}): Html {
  const schema = obj(input.schema);
  const props = Object.entries(obj(input.page.properties)).map(([name, value]) => ({
    name,
    value: obj(value),
  }));
  const title = props.find((p) => p.value.type === 'title');
  const others = props.filter((p) => p.value.type !== 'title');
  const ctx: BlockContext = { names: input.names, headings: headingsOf(input.content), trail: input.trail };
  return html`<article class="page">
${header(input.page, title ? richText(title.value.title) : html`Untitled`, input.trail)}
${
  others.length > 0
    ? html`<table class="properties"><tbody>${others.map(
        (p) =>
          html`<tr><th scope="row">${p.name}</th><td data-type="${str(p.value.type)}">${propertyValue(p.value, input.names, obj(schema[p.name]))}</td></tr>`,
      )}</tbody></table>`
    : null
}
<div class="content">${blocks(input.content, ctx)}</div>
${input.truncated ? html`<p class="notice" role="status">This page is cut short: only its first ${MAX_BROWSE_BLOCKS.toLocaleString('en-US')} blocks are shown.</p>` : null}
</article>`;
}

/** One data source's rows as a table: a column per property, the title first. */
function sourceTable(input: {
  source: J;
  rows: J[];
  nextHref: string | null;
  names: Names;
  showTitle: boolean;
}): Html {
  const schema = Object.entries(obj(input.source.properties)).map(([name, p]) => ({
    name,
    type: str(obj(p).type),
    definition: obj(p),
  }));
  schema.sort((a, b) => Number(b.type === 'title') - Number(a.type === 'title'));
  const head = html`<tr>${schema.map((p) => html`<th scope="col" data-type="${p.type}">${p.name}</th>`)}</tr>`;
  const body = input.rows.map((row) => {
    const values = obj(row.properties);
    return html`<tr>${schema.map((p) => {
      const value = obj(values[p.name]);
      if (p.type === 'title') {
        const text = plainText(arr(value.title) as RichText);
        return html`<th scope="row">${link(str(row.url), text || 'Untitled')}</th>`;
      }
      return html`<td data-type="${p.type}">${propertyValue(value, input.names, p.definition)}</td>`;
    })}</tr>`;
  });
  const title = richText(input.source.title);
  return html`<section class="source">
${input.showTitle ? html`<h2>${title}</h2>` : null}
<div class="table-wrap"><table class="rows"><thead>${head}</thead><tbody>${body}</tbody></table></div>
${input.rows.length === 0 ? html`<p class="muted">No rows.</p>` : null}
${input.nextHref ? html`<p><a href="${input.nextHref}">Next rows →</a></p>` : null}
</section>`;
}

/** A database: header, description, and each data source's rows. */
export function databaseView(input: {
  database: J;
  sources: { source: J; rows: J[]; nextHref: string | null }[];
  trail: BlockContext['trail'];
  names: Names;
}): Html {
  const db = input.database;
  const title = arr(db.title).length > 0 ? richText(db.title) : html`Untitled`;
  const description = arr(db.description);
  return html`<article class="database">
${header(db, title, input.trail)}
${description.length > 0 ? html`<p class="description">${richText(description)}</p>` : null}
${input.sources.map((s) => sourceTable({ ...s, names: input.names, showTitle: input.sources.length > 1 }))}
</article>`;
}

/** The home page: what this server is, its pages, its integrations and what they were given. */
export function homeView(input: {
  /** The public URL's path ('' at the root). */
  base: string;
  workspaceName: string;
  version: string;
  engine: string;
  homepage: string | null;
  pages: { title: string; url: string; kind: string }[];
  integrations: {
    name: string;
    kind: string;
    revoked: boolean;
    capabilities: string[];
    shared: { title: string; url: string }[];
    /** Its requests in the request log (`/requests?integration=…`), where the server keeps one. */
    requests?: string;
  }[];
  /** The request log's page, where the server keeps one. */
  requestLog?: string;
}): Html {
  const docs = input.homepage
    ? html`<a href="${safeUrl(input.homepage) ?? ''}">the project's README</a> and its <code>docs/</code> folder`
    : html`<code>README.md</code> and the <code>docs/</code> folder of the Octavo repository or package`;
  const pageLink = (p: { title: string; url: string }) => link(p.url, p.title || 'Untitled');
  return html`<h1>${input.workspaceName}</h1>
<section aria-labelledby="server"><h2 id="server">This server</h2>
<dl class="facts">
<dt>Software</dt><dd>Octavo ${input.version}: a self-hosted server speaking Notion's public REST API</dd>
<dt>Storage</dt><dd>${input.engine === 'postgres' ? 'PostgreSQL' : 'SQLite'}</dd>
<dt>API</dt><dd><code>/v1</code> (bearer tokens of integrations), described by <a href="${input.base}/v1/openapi.json">the OpenAPI document</a></dd>
<dt>Docs</dt><dd>${docs}</dd>
${input.requestLog ? html`<dt>Requests</dt><dd><a href="${input.requestLog}">the request log</a>: the last API requests, their answers and who sent them</dd>` : null}
</dl></section>
<section aria-labelledby="pages"><h2 id="pages">Pages</h2>
${
  input.pages.length > 0
    ? html`<ul class="links">${input.pages.map((p) => html`<li>${p.kind === 'database' ? html`<span aria-hidden="true">🗃 </span>` : null}${pageLink(p)}</li>`)}</ul>`
    : html`<p class="muted">The workspace has no pages yet.</p>`
}</section>
<section aria-labelledby="integrations"><h2 id="integrations">Integrations</h2>
${
  input.integrations.length > 0
    ? input.integrations.map(
        (
          i,
        ) => html`<div class="integration"><h3>${i.name}${i.revoked ? html` <span class="tag">revoked</span>` : null} <span class="muted">${i.kind}</span></h3>
<p class="muted">Can: ${i.capabilities.join(', ') || 'nothing'}${i.requests ? html` · <a href="${i.requests}">its requests</a>` : null}</p>
${
  i.shared.length > 0
    ? html`<ul class="links">${i.shared.map((s) => html`<li>${pageLink(s)}</li>`)}</ul>`
    : html`<p class="muted">Nothing shared with it.</p>`
}</div>`,
      )
    : html`<p class="muted">No integrations yet: <code>octavo integration create NAME</code>.</p>`
}</section>`;
}

const BROWSE_STYLE = trusted(`
  body { font: 16px/1.6 system-ui, sans-serif; margin: 0; background: #fff; color: #37352f; }
  .bar { display: flex; gap: 1rem; align-items: center; padding: .5rem 1rem; border-bottom: 1px solid #eee;
         font-size: .9rem; }
  .bar .grow { flex: 1; } .bar form { margin: 0; }
  .bar button { font: inherit; background: none; border: 1px solid #ccc; border-radius: 4px; padding: .15rem .6rem;
                cursor: pointer; }
  main { max-width: 52rem; margin: 0 auto; padding: 1rem 1.5rem 4rem; }
  a { color: #2383e2; } a:focus-visible, summary:focus-visible { outline: 3px solid #9ac7f5; outline-offset: 2px; }
  .cover { width: 100%; max-height: 16rem; object-fit: cover; border-radius: 4px; }
  .page-head { display: flex; gap: .6rem; align-items: center; }
  .page-icon { font-size: 2.5rem; line-height: 1; } img.page-icon { width: 3rem; height: 3rem; }
  .icon { margin-right: .4rem; } img.icon { width: 1.2em; height: 1.2em; vertical-align: middle; }
  .children { margin-left: 1.5rem; }
  .callout { display: flex; gap: .5rem; background: #f1f1ef; border-radius: 4px; padding: .75rem 1rem; margin: .5rem 0; }
  blockquote { border-left: 3px solid currentColor; margin: .5rem 0; padding-left: 1rem; }
  figure { margin: .75rem 0; } figcaption { color: #6b6b6b; font-size: .9rem; }
  pre { background: #f7f6f3; padding: 1rem; border-radius: 4px; overflow-x: auto; }
  code { font-family: ui-monospace, monospace; font-size: .9em; }
  .equation { text-align: center; margin: .75rem 0; }
  .media img, .media video { max-width: 100%; }
  .columns { display: flex; gap: 1.5rem; } .column { min-width: 0; }
  .todo.done span { text-decoration: line-through; color: #6b6b6b; }
  details.toggle > summary { cursor: pointer; } details.toggle > summary > h2, details.toggle > summary > h3,
  details.toggle > summary > h4, details.toggle > summary > h5 { display: inline; }
  .table-wrap { overflow-x: auto; margin: .75rem 0; }
  table { border-collapse: collapse; } td, th { border: 1px solid #e3e2e0; padding: .3rem .6rem; text-align: left;
  vertical-align: top; } th { font-weight: 600; background: #f7f6f3; }
  table.properties th { background: none; color: #6b6b6b; font-weight: normal; border: none; }
  table.properties td { border: none; }
  .tag { display: inline-block; background: #e3e2e0; border-radius: 3px; padding: 0 .4rem; margin: 0 .2rem .1rem 0;
         font-size: .9em; }
  .synced { border-left: 2px solid #f5b38a; padding-left: .5rem; }
  .muted, .unsupported .muted { color: #6b6b6b; font-size: .9rem; }
  .notice { background: #fdecc8; padding: .5rem 1rem; border-radius: 4px; }
  .breadcrumb { color: #6b6b6b; font-size: .9rem; }
  dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
  dt { color: #6b6b6b; } dd { margin: 0; }
  .c-gray { color: #787774; } .c-brown { color: #9f6b53; } .c-orange { color: #d9730d; }
  .c-yellow { color: #cb912f; } .c-green { color: #448361; } .c-blue { color: #337ea9; }
  .c-purple { color: #9065b0; } .c-pink { color: #c14c8a; } .c-red { color: #d44c47; }
  .c-bg-gray { background: #e3e2e0; } .c-bg-brown { background: #eee0da; } .c-bg-orange { background: #fadec9; }
  .c-bg-yellow { background: #fdecc8; } .c-bg-green { background: #dbeddb; } .c-bg-blue { background: #d3e5ef; }
  .c-bg-purple { background: #e8deee; } .c-bg-pink { background: #f5e0e9; } .c-bg-red { background: #ffe2dd; }
`);

/** The frame of every browsing page: a bar with home, the person and sign-out, then the content. */
export function browseLayout(input: {
  /** The public URL's path ('' at the root). */
  base: string;
  title: string;
  workspaceName: string;
  user: { name: string; email: string };
  csrf: string;
  body: Html;
}): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${input.title || 'Untitled'} · Octavo</title><style>${BROWSE_STYLE}</style></head>
<body><nav class="bar" aria-label="Octavo"><a href="${input.base}/">${input.workspaceName}</a><a href="${input.base}/app">Open the editor</a><span class="grow"></span>
<span>${input.user.name} (${input.user.email})</span>
<form method="post" action="${input.base}/sign-out"><input type="hidden" name="csrf" value="${input.csrf}"><button type="submit">Sign out</button></form></nav>
<main>${input.body}</main></body></html>`;
}

/**
 * The objects and users that a rendering of `body` names outside mentions (relations, people,
 * creators and editors, link_to_page targets), to be resolved with the mentions before rendering.
 */
export function namedIds(body: unknown, into: { objects: Set<string>; users: Set<string> }): void {
  if (Array.isArray(body)) {
    for (const v of body) namedIds(v, into);
    return;
  }
  if (typeof body !== 'object' || body === null) return;
  const o = body as J;
  const type = str(o.type);
  const value = o[type];
  if (type === 'relation') for (const r of arr(value)) into.objects.add(str(obj(r).id));
  if (type === 'people') for (const u of arr(value)) into.users.add(str(obj(u).id));
  if (type === 'created_by' || type === 'last_edited_by') into.users.add(str(obj(value).id));
  if (type === 'link_to_page') {
    const target = obj(value);
    into.objects.add(str(target[str(target.type)]));
  }
  for (const key in o) if (typeof o[key] === 'object') namedIds(o[key], into);
}
