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

/**
 * Whether `e` is Postgres refusing a prepared statement that no longer fits its table (the table
 * changed shape under it: "cached plan must not change result type") or no longer exists. The
 * caller runs the statement, or its transaction, again unnamed (lib/prepared.ts, for the store's
 * statements and pg-boss's).
 */
export function isPreparedStatementGone(e: unknown): boolean {
  const { code, message } = (e ?? {}) as { code?: unknown; message?: unknown };
  return (
    code === '26000' ||
    (code === '0A000' &&
      typeof message === 'string' &&
      message.includes('cached plan must not change result type'))
  );
}
