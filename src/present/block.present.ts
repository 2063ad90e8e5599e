/** Blocks on the wire. Pages inside content show as `child_page` blocks. */

import { plainText } from '../domain/rich-text.ts';
import { toMinute } from '../lib/clock.ts';
import type { BlockView } from '../store/store.ts';
import type { BlockObjectResponse, RichTextItemResponse } from '../wire/responses.ts';
import { type ApiVersion, atLeast, emitsArchived } from '../wire/versions.ts';
import type { PresentContext } from './context.ts';
import { presentFile } from './files.present.ts';
import { pageTitle } from './page.present.ts';
import { presentParent } from './parent.present.ts';
import { partialUser } from './user.present.ts';

/** The fields every block object carries, whatever its type (checked against the SDK's type). */
type CommonFields = Omit<Extract<BlockObjectResponse, { type: 'divider' }>, 'type' | 'divider' | 'archived'>;

/** 2026-03-11 renamed the meeting-notes block type; older versions still call it `transcription`. */
function wireType(stored: string, version: ApiVersion): string {
  if (stored === 'page') return 'child_page';
  if (stored === 'database') return 'child_database';
  if (stored === 'meeting_notes' || stored === 'transcription') {
    return atLeast(version, '2026-03-11') ? 'meeting_notes' : 'transcription';
  }
  return stored;
}

/** The wire type and payload of a stored block. */
function typeAndPayload(row: BlockView, version: ApiVersion): [string, Record<string, unknown>] {
  if (row.type === 'page') return ['child_page', { title: plainText(pageTitle(row)) }];
  if (row.type === 'database') {
    const { title } = JSON.parse(row.data) as { title?: RichTextItemResponse[] };
    return ['child_database', { title: plainText(title ?? []) }];
  }
  return [wireType(row.type, version), JSON.parse(row.data) as Record<string, unknown>];
}

/** Media sources and icons that are uploads get freshly signed URLs. */
function withHostedFiles(payload: Record<string, unknown>, ctx: PresentContext): Record<string, unknown> {
  const out = presentFile(payload, ctx);
  return out.icon ? { ...out, icon: presentFile(out.icon, ctx) } : out;
}

export function presentBlock(row: BlockView, ctx: PresentContext): BlockObjectResponse {
  const [type, stored] = typeAndPayload(row, ctx.version);
  const payload = withHostedFiles(stored, ctx);
  const common = {
    object: 'block',
    id: row.id,
    parent: presentParent(row),
    created_time: toMinute(row.created_time),
    last_edited_time: toMinute(row.last_edited_time),
    created_by: partialUser(row.created_by),
    last_edited_by: partialUser(row.last_edited_by),
    has_children: row.has_children,
    in_trash: row.in_trash === 1,
  } satisfies CommonFields;
  // The payload is stored in its response form per type (domain/block-payloads.ts), so the
  // discriminated union holds by construction; TypeScript cannot follow a computed key.
  return {
    ...common,
    type,
    [type]: payload,
    ...(emitsArchived(ctx.version) ? { archived: row.in_trash === 1 } : {}),
  } as unknown as BlockObjectResponse;
}
