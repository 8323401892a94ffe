import { type PoolClient } from 'pg';

/** PostgreSQL allows 65535 bind parameters per statement. */
const MAX_PARAMETERS = 65535;

export interface MergeTarget {
  readonly schema: string;
  readonly table: string;
  readonly columns: readonly string[];
  readonly keyColumns: readonly string[];
  /**
   * A column that orders versions of a row (e.g. when it was computed): a
   * staged row replaces a stored one only if it is at least as new, so a
   * load that arrives late (from a server that has just lost the partition)
   * cannot put an older version back. Without it, the last load wins.
   */
  readonly versionColumn?: string;
}

/**
 * How a batch is staged and merged into the target.
 *
 * - `staged-delete-insert` (Redshift): multi-row INSERTs into a temporary
 *   staging table, then DELETE ... USING the staging table and INSERT ...
 *   SELECT in one transaction. Plain SQL both engines run, and the staged
 *   merge Redshift documents (it has no unique indexes, and its hash joins
 *   over the staging table cost the same however large the target is).
 * - `json-upsert` (PostgreSQL): the rows travel as one JSON parameter, not as
 *   21 bind parameters per row, and json_populate_recordset is the staging
 *   relation inside the statement itself, so the whole load is ONE
 *   statement: one round trip, atomic on its own, and no temporary table to
 *   create and drop (catalog writes on every load). ON CONFLICT finds each
 *   key through the primary key index. A DELETE ... USING join against a
 *   freshly grown target is planned from stale statistics (a nested loop
 *   over both tables, quadratic), so it is not used on PostgreSQL.
 */
export type MergeMethod = 'staged-delete-insert' | 'json-upsert';

/**
 * Idempotent batch load: the rows replace the target rows with the same keys
 * (with a version column: only the target rows that are not newer), all or
 * nothing. Rows must already be unique by key (last write wins is the caller's job).
 */
export async function stagedMerge(
  client: PoolClient,
  target: MergeTarget,
  rows: readonly (readonly unknown[])[],
  method: MergeMethod,
): Promise<void> {
  if (rows.length === 0) return;
  switch (method) {
    case 'json-upsert':
      return jsonUpsert(client, target, rows);
    case 'staged-delete-insert':
      return stagedDeleteInsert(client, target, rows);
  }
}

async function jsonUpsert(
  client: PoolClient,
  target: MergeTarget,
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  const qualified = `${target.schema}.${target.table}`;
  const columnList = target.columns.join(', ');
  const keys = new Set(target.keyColumns);
  const updates = target.columns
    .filter((c) => !keys.has(c))
    .map((c) => `${c} = EXCLUDED.${c}`)
    .join(', ');
  const version = target.versionColumn;
  await client.query(
    `INSERT INTO ${qualified} (${columnList}) SELECT ${columnList} ` +
      `FROM json_populate_recordset(NULL::${qualified}, $1::json) ` +
      `ON CONFLICT (${target.keyColumns.join(', ')}) DO UPDATE SET ${updates}` +
      (version ? ` WHERE ${qualified}.${version} <= EXCLUDED.${version}` : ''),
    [rowsAsJson(target.columns, rows)],
  );
}

async function stagedDeleteInsert(
  client: PoolClient,
  target: MergeTarget,
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  const qualified = `${target.schema}.${target.table}`;
  const stage = `stage_${target.table}`;
  const columnList = target.columns.join(', ');
  const match = target.keyColumns.map((c) => `${qualified}.${c} = ${stage}.${c}`).join(' AND ');
  const version = target.versionColumn;
  await client.query('BEGIN');
  try {
    await client.query(`CREATE TEMP TABLE ${stage} (LIKE ${qualified})`);
    await stageAsValues(client, stage, target.columns, rows);
    // Staged rows older than what is stored are dropped first, so they neither delete nor insert.
    if (version) {
      await client.query(
        `DELETE FROM ${stage} USING ${qualified} WHERE ${match} AND ${qualified}.${version} > ${stage}.${version}`,
      );
    }
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

/** The rows as a JSON array of objects keyed by column name. */
/**
 * The rows as a JSON array of objects keyed by column, written directly: the
 * same text as stringifying one object per row, without building objects
 * whose keys V8 can only keep as dictionaries (this runs for every post).
 */
export function rowsAsJson(
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): string {
  const keys = columns.map((column, i) => `${i === 0 ? '{' : ','}${JSON.stringify(column)}:`);
  let json = '[';
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as readonly unknown[];
    if (r > 0) json += ',';
    for (let i = 0; i < keys.length; i++) {
      const value = row[i];
      // An undefined property is left out by JSON.stringify: the column is then null.
      json += keys[i] + (value === undefined ? 'null' : (JSON.stringify(value) ?? 'null'));
    }
    json += keys.length === 0 ? '{}' : '}';
  }
  return `${json}]`;
}

/** Keeps the last row per key, preserving first-seen order. */
export function lastByKey<T>(rows: readonly T[], key: (row: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const row of rows) byKey.set(key(row), row);
  return [...byKey.values()];
}
