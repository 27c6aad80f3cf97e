/**
 * Recognising a unique-key violation from either database. Two concurrent requests can both pass
 * an "is this phone taken?" check; the unique key then refuses the second, which must become a
 * 409 rather than a 500.
 */

/** Whether `err` is a unique-constraint violation (Postgres 23505, SQLite CONSTRAINT_UNIQUE). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
