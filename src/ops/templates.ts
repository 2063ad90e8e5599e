/**
 * Templates of data sources (notion-api.md §4.5 `GET /v1/data_sources/{id}/templates`, §4.2.1
 * `template` on page create). A template is kept apart from the data source's rows (so queries,
 * views and search never show it): its name, whether it is the default, the property values a
 * page made from it starts with (stored form, keyed by property id), its icon and its content as
 * Notion-flavoured markdown. The workspace's administration makes one from an existing page
 * (`octavo template add`): the page's values and content as they are at that moment.
 */

import type { Capability } from '../domain/capabilities.ts';
import type { Schema } from '../domain/properties/types.ts';
import { newId } from '../lib/ids.ts';
import type { PageTemplateRow, StoreTx } from '../store/store.ts';
import { errors } from '../wire/errors.ts';
import { bodyError } from '../wire/validation.ts';
import { getDataSource, schemaOf } from './databases.ts';
import type { OpEnv } from './env.ts';
import { getPageMarkdown } from './markdown.ts';
import { storedOf } from './rows.ts';
import { ADMIN_EMAIL } from './workspace.ts';

/** Value types a template carries over; computed ones and relations (two-way links) are not copied. */
const COPIED = new Set([
  'title',
  'rich_text',
  'number',
  'select',
  'multi_select',
  'status',
  'date',
  'people',
  'files',
  'checkbox',
  'url',
  'email',
  'phone_number',
]);

/** A template's values for the data source's current schema (properties since removed are dropped). */
export function templateValues(template: PageTemplateRow, schema: Schema): Record<string, unknown> {
  const stored = JSON.parse(template.properties) as Record<string, unknown>;
  const copied = new Set(schema.filter((p) => COPIED.has(p.type)).map((p) => p.id));
  return Object.fromEntries(Object.entries(stored).filter(([id]) => copied.has(id)));
}

/** The data source's templates the integration can see, by id; `name` is a substring, any case. */
export async function listTemplates(
  tx: StoreTx,
  env: OpEnv,
  dataSourceId: string,
  name: string | null,
  from: string | null,
  limit: number,
) {
  const ds = await getDataSource(tx, env, dataSourceId);
  if (from) {
    const anchor = await tx.templates.get(from);
    if (anchor?.data_source_id !== ds.row.id)
      throw errors.validation(`The start_cursor provided is invalid: ${from}`);
  }
  return tx.templates.list(ds.row.id, name, from, limit);
}

/**
 * The template a page create asks for (`default` or `template_id`) in the data source it goes
 * into, or null for none. A data source without a default, or another data source's template, is
 * a validation error.
 */
export async function resolveTemplate(
  tx: StoreTx,
  dataSourceId: string,
  asked: { type: 'none' } | { type: 'default' } | { type: 'template_id'; template_id: string } | undefined,
): Promise<PageTemplateRow | null> {
  if (!asked || asked.type === 'none') return null;
  if (asked.type === 'default') {
    const found = await tx.templates.defaultOf(dataSourceId);
    if (!found) throw errors.validation(`Data source ${dataSourceId} has no default template.`);
    return found;
  }
  const found = await tx.templates.get(asked.template_id);
  if (found?.data_source_id !== dataSourceId) {
    throw bodyError(
      ['template', 'template_id'],
      `should be the id of a template of data source ${dataSourceId}`,
      asked.template_id,
    );
  }
  return found;
}

/**
 * Makes a template of a data source from a page's current values and content (the command
 * line's `octavo template add`; `env` is the administration's, which sees everything).
 */
export async function addTemplate(
  tx: StoreTx,
  env: OpEnv,
  input: { dataSourceId: string; name: string; fromPageId: string | null; isDefault: boolean },
): Promise<PageTemplateRow> {
  const ds = await getDataSource(tx, env, input.dataSourceId);
  let properties: Record<string, unknown> = {};
  let icon: string | null = null;
  let markdown = '';
  if (input.fromPageId) {
    const page = await tx.blocks.get(input.fromPageId);
    if (page?.type !== 'page') throw errors.notFound('page', input.fromPageId);
    properties = storedOf(page);
    icon = page.icon;
    markdown = (await getPageMarkdown(tx, env, page.id)).markdown;
  }
  if (input.isDefault) await tx.templates.clearDefault(ds.row.id);
  const row: PageTemplateRow = {
    id: newId(),
    data_source_id: ds.row.id,
    name: input.name,
    is_default: input.isDefault ? 1 : 0,
    properties: JSON.stringify(
      templateValues({ properties: JSON.stringify(properties) } as PageTemplateRow, schemaOf(ds.row)),
    ),
    icon,
    markdown,
    created_time: env.now,
    created_by: env.actor.botUserId,
  };
  await tx.templates.insert(row);
  return row;
}

/** The workspace administration acting from the command line: sees everything, writes as the admin. */
export async function administrationEnv(tx: StoreTx, now: string, publicUrl: string): Promise<OpEnv> {
  const admin = await tx.users.getByEmail(ADMIN_EMAIL);
  if (!admin) throw errors.validation('The workspace has no administrator yet: start the server once.');
  return {
    actor: {
      integrationId: '',
      integrationName: admin.name,
      botUserId: admin.id,
      capabilities: new Set<Capability>(),
      seesEverything: true,
    },
    now,
    publicUrl,
  };
}
