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
 * How rows reach the staging table and how it is merged into the target.
 *
 * - `values` + `delete-insert` is plain SQL both engines run, and the pattern
 *   Redshift documents for a staged merge (it has no unique indexes, and its
 *   hash joins over the staging table cost the same however large the target
 *   is).
 * - `json` + `upsert` is PostgreSQL's fast path: the rows travel as one JSON
 *   parameter (json_populate_recordset), not as 21 bind parameters per row,
 *   and ON CONFLICT finds each key through the primary key index. A
 *   DELETE ... USING join against a freshly grown target is planned from
 *   stale statistics (a nested loop over both tables, quadratic), so it is
 *   not used on PostgreSQL.
 */
export interface MergeMethod {
  readonly staging: 'values' | 'json';
  readonly merge: 'delete-insert' | 'upsert';
}

/**
 * Idempotent batch load: rows go to a temporary staging table, then in one
 * transaction replace the target rows with the same keys.
 * Rows must already be unique by key (last write wins is the caller's job).
 */
export async function stagedMerge(
  client: PoolClient,
  target: MergeTarget,
  rows: readonly (readonly unknown[])[],
  method: MergeMethod,
): Promise<void> {
  if (rows.length === 0) return;
  const qualified = `${target.schema}.${target.table}`;
  const stage = `stage_${target.table}`;
  const columnList = target.columns.join(', ');
  await client.query('BEGIN');
  try {
    await client.query(`CREATE TEMP TABLE ${stage} (LIKE ${qualified})`);
    if (method.staging === 'json') await stageAsJson(client, stage, target.columns, rows);
    else await stageAsValues(client, stage, target.columns, rows);
    if (method.merge === 'upsert') {
      const keys = new Set(target.keyColumns);
      const updates = target.columns
        .filter((c) => !keys.has(c))
        .map((c) => `${c} = EXCLUDED.${c}`)
        .join(', ');
      await client.query(
        `INSERT INTO ${qualified} (${columnList}) SELECT ${columnList} FROM ${stage} ` +
          `ON CONFLICT (${target.keyColumns.join(', ')}) DO UPDATE SET ${updates}`,
      );
    } else {
      const match = target.keyColumns.map((c) => `${qualified}.${c} = ${stage}.${c}`).join(' AND ');
      await client.query(`DELETE FROM ${qualified} USING ${stage} WHERE ${match}`);
      await client.query(
        `INSERT INTO ${qualified} (${columnList}) SELECT ${columnList} FROM ${stage}`,
      );
    }
    await client.query(`DROP TABLE ${stage}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Multi-row INSERTs, as many rows per statement as the bind-parameter limit allows. */
async function stageAsValues(
  client: PoolClient,
  stage: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  const rowsPerStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
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
      `INSERT INTO ${stage} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`,
      values,
    );
  }
}

/** One statement: the rows as a JSON array of objects, typed by the staging table's row type. */
async function stageAsJson(
  client: PoolClient,
  stage: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  const objects = rows.map((row) => {
    const object: Record<string, unknown> = {};
    columns.forEach((column, i) => (object[column] = row[i]));
    return object;
  });
  const columnList = columns.join(', ');
  await client.query(
    `INSERT INTO ${stage} (${columnList}) SELECT ${columnList} ` +
      `FROM json_populate_recordset(NULL::${stage}, $1::json)`,
    [JSON.stringify(objects)],
  );
}

/** Keeps the last row per key, preserving first-seen order. */
export function lastByKey<T>(rows: readonly T[], key: (row: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const row of rows) byKey.set(key(row), row);
  return [...byKey.values()];
}
