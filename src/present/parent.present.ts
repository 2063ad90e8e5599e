import type { BlockRow } from '../store/store.ts';

/** The wire form of a stored parent reference. */
export function presentParent(row: Pick<BlockRow, 'parent_type' | 'parent_id'>) {
  switch (row.parent_type) {
    case 'workspace':
      return { type: 'workspace' as const, workspace: true as const };
    case 'block_id':
      return { type: 'block_id' as const, block_id: row.parent_id! };
    case 'database_id':
      return { type: 'database_id' as const, database_id: row.parent_id! };
    default:
      return { type: 'page_id' as const, page_id: row.parent_id! };
  }
}
