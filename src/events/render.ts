/**
 * Rendering a recorded event as Notion's webhook payload for one subscriber's api_version. Pure:
 * the later delivery worker and `octavo events tail --json` call the same function.
 *
 * Version differences, all here:
 * - 2022-06-28 has no data sources. A data source's schema and content changes are told as
 *   `database.schema_updated` / `database.content_updated` about its database; its creation,
 *   trash and moves are not told (the database's own events are), and parents lose
 *   `data_source_id`.
 * - 2025-09-03 and later get `data_source.*` as recorded; `database.schema_updated` is never
 *   sent to them (superseded), which is why it is recorded as `data_source.schema_updated`.
 */
import type { WebhookPayload } from '../wire/webhooks.ts';
import type { EventParent, RecordedEvent } from './types.ts';

export type WebhookApiVersion = WebhookPayload['api_version'];

/** Who the payload is for: the subscription's fields and the delivery attempt. */
export interface DeliveryContext {
  apiVersion: WebhookApiVersion;
  workspaceId: string;
  workspaceName: string;
  subscriptionId: string;
  integrationId: string;
  attemptNumber: number;
}

type WireParent = { id: string; type: EventParent['type']; data_source_id?: string };

function renderParent(parent: EventParent | undefined, ctx: DeliveryContext): WireParent {
  const p = parent ?? { id: null, type: 'space' };
  const out: WireParent = { id: p.id ?? ctx.workspaceId, type: p.type };
  if (p.data_source_id && ctx.apiVersion !== '2022-06-28') out.data_source_id = p.data_source_id;
  return out;
}

/** The type, entity and data a subscriber of `ctx.apiVersion` sees, or null when it sees none. */
function shapeFor(event: RecordedEvent, ctx: DeliveryContext) {
  const { data } = event;
  const parent = renderParent(data.parent, ctx);
  const rest: Record<string, unknown> = {};
  if (data.updated_properties) rest.updated_properties = data.updated_properties;
  if (data.updated_blocks) rest.updated_blocks = data.updated_blocks;
  if (data.view_type) rest.view_type = data.view_type;
  if (data.updated_fields) rest.updated_fields = data.updated_fields;
  if (data.page_id) rest.page_id = data.page_id;
  if (event.entity.type === 'file_upload') {
    return {
      type: event.type,
      entity: event.entity,
      ...(data.file_import_result ? { data: { file_import_result: data.file_import_result } } : {}),
    };
  }
  if (event.entity.type === 'data_source' && ctx.apiVersion === '2022-06-28') {
    const told = {
      'data_source.schema_updated': 'database.schema_updated',
      'data_source.content_updated': 'database.content_updated',
    } as const;
    const type = told[event.type as keyof typeof told];
    if (!type || !data.database) return null;
    return {
      type,
      entity: { id: data.database.id, type: 'database' },
      data: { parent: renderParent(data.database.parent, ctx), ...rest },
    };
  }
  return { type: event.type, entity: event.entity, data: { parent, ...rest } };
}

/**
 * The webhook payload of `event` for one subscription and attempt, or null when subscribers of
 * that api_version are not told about it. Typed by the SDK's payload union.
 */
export function renderEvent(event: RecordedEvent, ctx: DeliveryContext): WebhookPayload | null {
  const shape = shapeFor(event, ctx);
  if (!shape) return null;
  return {
    id: event.id,
    timestamp: event.timestamp,
    workspace_id: ctx.workspaceId,
    workspace_name: ctx.workspaceName,
    subscription_id: ctx.subscriptionId,
    integration_id: ctx.integrationId,
    ...shape,
    authors: event.authors,
    attempt_number: ctx.attemptNumber,
    api_version: ctx.apiVersion,
  } as WebhookPayload;
}
