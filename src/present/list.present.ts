/** Notion's list envelope: object, results, next_cursor (null at the end), has_more, type + {}. */
export function presentList<T, K extends string>(results: T[], next: string | null, type: K) {
  return {
    object: 'list' as const,
    results,
    next_cursor: next,
    has_more: next !== null,
    type,
    [type]: {},
  } as { object: 'list'; results: T[]; next_cursor: string | null; has_more: boolean; type: K } & Record<
    K,
    Record<string, never>
  >;
}
