/** Blocks on the wire. Pages inside content show as `child_page` blocks. */

import { plainText } from '../domain/rich-text.ts';
import { toMinute } from '../lib/clock.ts';
import type { BlockView } from '../store/store.ts';
import type { BlockObjectResponse } from '../wire/responses.ts';
import { emitsArchived } from '../wire/versions.ts';
import type { PresentContext } from './context.ts';
import { pageTitle } from './page.present.ts';
import { presentParent } from './parent.present.ts';
import { partialUser } from './user.present.ts';

/** The wire type and payload of a stored block. */
function typeAndPayload(row: BlockView): [string, Record<string, unknown>] {
  if (row.type === 'page') return ['child_page', { title: plainText(pageTitle(row)) }];
  return [row.type, JSON.parse(row.data) as Record<string, unknown>];
}

export function presentBlock(row: BlockView, ctx: PresentContext): BlockObjectResponse {
  const [type, payload] = typeAndPayload(row);
  const block = {
    object: 'block',
    id: row.id,
    parent: presentParent(row),
    created_time: toMinute(row.created_time),
    last_edited_time: toMinute(row.last_edited_time),
    created_by: partialUser(row.created_by),
    last_edited_by: partialUser(row.last_edited_by),
    has_children: row.has_children,
    in_trash: row.in_trash === 1,
    type,
    [type]: payload,
    ...(emitsArchived(ctx.version) ? { archived: row.in_trash === 1 } : {}),
  };
  return block as unknown as BlockObjectResponse;
}
