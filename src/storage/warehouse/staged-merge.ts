import { type PoolClient } from 'pg';

/** PostgreSQL allows 65535 bind parameters per statement. */
const MAX_PARAMETERS = 65535;

export interface MergeTarget {
  readonly schema: string;
  readonly table: string;
  readonly columns: readonly string[];
  readonly keyColumns: readonly string[];
}

/**
 * Idempotent batch load that runs on Redshift and PostgreSQL alike: rows go to
 * a temporary staging table (multi-row INSERTs), then in one transaction the
 * target rows with the same keys are deleted and the staged rows inserted.
 * Rows must already be unique by key (last write wins is the caller's job).
 */
export async function stagedMerge(
  client: PoolClient,
  target: MergeTarget,
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  if (rows.length === 0) return;
  const qualified = `${target.schema}.${target.table}`;
  const stage = `stage_${target.table}`;
  const columnList = target.columns.join(', ');
  await client.query('BEGIN');
  try {
    await client.query(`CREATE TEMP TABLE ${stage} (LIKE ${qualified})`);
    const rowsPerStatement = Math.max(1, Math.floor(MAX_PARAMETERS / target.columns.length));
    for (let start = 0; start < rows.length; start += rowsPerStatement) {
      const chunk = rows.slice(start, start + rowsPerStatement);
      const values: unknown[] = [];
      const tuples = chunk.map((row) => {
        const placeholders = row.map((value) => {
          values.push(value);
          return `$${values.length}`;
        });
        return `(${placeholders.join(', ')})`;
      });
      await client.query(
        `INSERT INTO ${stage} (${columnList}) VALUES ${tuples.join(', ')}`,
        values,
      );
    }
    const match = target.keyColumns.map((c) => `${qualified}.${c} = ${stage}.${c}`).join(' AND ');
    await client.query(`DELETE FROM ${qualified} USING ${stage} WHERE ${match}`);
    await client.query(
      `INSERT INTO ${qualified} (${columnList}) SELECT ${columnList} FROM ${stage}`,
    );
    await client.query(`DROP TABLE ${stage}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Keeps the last row per key, preserving first-seen order. */
export function lastByKey<T>(rows: readonly T[], key: (row: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const row of rows) byKey.set(key(row), row);
  return [...byKey.values()];
}
