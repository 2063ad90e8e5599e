/** Data-source templates on the wire (SDK `ListDataSourceTemplatesResponse`): no `object`, no `type`. */

import type { PageTemplateRow } from '../store/store.ts';
import type { ListDataSourceTemplatesResponse } from '../wire/responses.ts';

export function presentTemplates(
  rows: readonly PageTemplateRow[],
  next: string | null,
): ListDataSourceTemplatesResponse {
  return {
    templates: rows.map((t) => ({ id: t.id, name: t.name, is_default: t.is_default === 1 })),
    has_more: next !== null,
    next_cursor: next,
  };
}
