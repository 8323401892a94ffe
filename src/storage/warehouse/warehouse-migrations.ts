import { type Pool } from 'pg';
import { type WarehouseDialect } from './dialect';

interface Migration {
  readonly id: number;
  readonly name: string;
  readonly statements: (schema: string, dialect: WarehouseDialect) => string[];
}

const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'fact tables',
    statements: (s, d) => [
      `CREATE TABLE IF NOT EXISTS ${s}.fact_posts (
        fullname VARCHAR(16) NOT NULL,
        kind VARCHAR(16) NOT NULL,
        subreddit VARCHAR(32) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        author VARCHAR(64),
        title VARCHAR(1200),
        body VARCHAR(65535),
        permalink VARCHAR(1024) NOT NULL,
        url VARCHAR(4096),
        score BIGINT NOT NULL,
        num_comments BIGINT,
        over_18 BOOLEAN NOT NULL,
        link_id VARCHAR(16),
        parent_id VARCHAR(16),
        sentiment_score DOUBLE PRECISION,
        sentiment_label VARCHAR(16),
        ingested_at TIMESTAMPTZ NOT NULL,
        source VARCHAR(16) NOT NULL,
        stream_id VARCHAR(64) NOT NULL,
        loaded_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (fullname)
      ) ${d.tableAttributes('fact_posts')}`,
      `CREATE TABLE IF NOT EXISTS ${s}.fact_windows (
        subreddit VARCHAR(32) NOT NULL,
        window_spec VARCHAR(16) NOT NULL,
        window_start TIMESTAMPTZ NOT NULL,
        window_end TIMESTAMPTZ NOT NULL,
        submissions BIGINT NOT NULL,
        comments BIGINT NOT NULL,
        sentiment_sum DOUBLE PRECISION NOT NULL,
        sentiment_count BIGINT NOT NULL,
        sentiment_mean DOUBLE PRECISION,
        positive BIGINT NOT NULL,
        neutral BIGINT NOT NULL,
        negative BIGINT NOT NULL,
        score_sum BIGINT NOT NULL,
        first_event_at TIMESTAMPTZ NOT NULL,
        last_event_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (subreddit, window_spec, window_start)
      ) ${d.tableAttributes('fact_windows')}`,
    ],
  },
  {
    id: 2,
    name: 'body state',
    statements: (s) => [`ALTER TABLE ${s}.fact_posts ADD COLUMN body_state VARCHAR(16)`],
  },
  {
    id: 3,
    name: 'window details',
    // Redshift adds one column per ALTER TABLE.
    statements: (s) => [
      `ALTER TABLE ${s}.fact_windows ADD COLUMN unique_authors BIGINT`,
      `ALTER TABLE ${s}.fact_windows ADD COLUMN unique_authors_exact BOOLEAN`,
      `ALTER TABLE ${s}.fact_windows ADD COLUMN sentiment_min DOUBLE PRECISION`,
      `ALTER TABLE ${s}.fact_windows ADD COLUMN sentiment_max DOUBLE PRECISION`,
      `ALTER TABLE ${s}.fact_windows ADD COLUMN top_keywords VARCHAR(4096)`,
      `ALTER TABLE ${s}.fact_windows ADD COLUMN top_mentions VARCHAR(4096)`,
      `ALTER TABLE ${s}.fact_windows ADD COLUMN is_final BOOLEAN`,
    ],
  },
  {
    id: 4,
    name: 'sentiment model',
    // Which model scored a post, and which models scored a window's events (comma-separated).
    statements: (s) => [
      `ALTER TABLE ${s}.fact_posts ADD COLUMN sentiment_model VARCHAR(64)`,
      `ALTER TABLE ${s}.fact_windows ADD COLUMN sentiment_model VARCHAR(256)`,
    ],
  },
  {
    id: 5,
    name: 'trends',
    statements: (s, d) => [
      `CREATE TABLE IF NOT EXISTS ${s}.fact_trends (
        scope VARCHAR(32) NOT NULL,
        kind VARCHAR(16) NOT NULL,
        term VARCHAR(256) NOT NULL,
        lane VARCHAR(128) NOT NULL,
        minute_start TIMESTAMPTZ NOT NULL,
        value DOUBLE PRECISION NOT NULL,
        expected DOUBLE PRECISION NOT NULL,
        score DOUBLE PRECISION NOT NULL,
        confidence DOUBLE PRECISION NOT NULL,
        rising_since TIMESTAMPTZ NOT NULL,
        is_new BOOLEAN NOT NULL,
        detected_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (scope, kind, term, lane, minute_start)
      ) ${d.tableAttributes('fact_trends')}`,
    ],
  },
  {
    id: 6,
    name: 'window versions',
    // The merge keeps the row with the highest version (WindowRecord.version),
    // no longer the latest updated_at. Rows from before had updated_at as
    // their version: that is what they keep.
    statements: (s) => [
      `ALTER TABLE ${s}.fact_windows ADD COLUMN version BIGINT`,
      `UPDATE ${s}.fact_windows
        SET version = CAST(EXTRACT(EPOCH FROM updated_at) * 1000 AS BIGINT)
        WHERE version IS NULL`,
    ],
  },
];

const ATTEMPTS = 3;

/**
 * Applies pending migrations, each in its own transaction. When two servers
 * boot together, one can lose the race (its transaction fails on what the other
 * just created); it then re-reads what is applied and goes on.
 */
export async function runWarehouseMigrations(
  pool: Pool,
  schema: string,
  dialect: WarehouseDialect,
): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await applyPending(pool, schema, dialect);
    } catch (error) {
      if (attempt >= ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

async function applyPending(
  pool: Pool,
  schema: string,
  dialect: WarehouseDialect,
): Promise<string[]> {
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await pool.query(
    `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
      id INTEGER NOT NULL, name VARCHAR(128) NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`,
  );
  const done = await pool.query<{ id: number }>(`SELECT id FROM ${schema}.schema_migrations`);
  const appliedIds = new Set(done.rows.map((row) => Number(row.id)));
  const applied: string[] = [];
  for (const migration of MIGRATIONS) {
    if (appliedIds.has(migration.id)) continue;
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      for (const statement of migration.statements(schema, dialect)) await client.query(statement);
      await client.query(
        `INSERT INTO ${schema}.schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)`,
        [migration.id, migration.name, new Date().toISOString()],
      );
      await client.query('COMMIT');
      applied.push(`${migration.id} (${migration.name})`);
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }
  return applied;
}
