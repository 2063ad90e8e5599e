/**
 * Whether `e` is the database refusing a row because a unique index already holds its key: on
 * Postgres SQLSTATE 23505, on SQLite the extended code SQLITE_CONSTRAINT_UNIQUE (or
 * SQLITE_CONSTRAINT_PRIMARYKEY). Operations that check a key and then write it turn the race
 * between two such writers into the error the check gives.
 */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
