import type { DataSource, EntityManager } from 'typeorm';

/**
 * The rows of an `UPDATE … RETURNING`. TypeORM's Postgres driver answers UPDATE and DELETE
 * statements with `[rows, rowCount]` instead of the rows alone.
 */
export async function updateReturning<T>(runner: EntityManager | DataSource, sql: string, params: unknown[]): Promise<T[]> {
  const result: unknown = await runner.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}
