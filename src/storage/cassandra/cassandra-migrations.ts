import { type Client } from 'cassandra-driver';

interface Migration {
  readonly id: number;
  readonly name: string;
  readonly statements: (keyspace: string) => string[];
}

/**
 * Ordered, append-only schema changes. Each is applied once and recorded in
 * schema_migrations; statements are idempotent (IF NOT EXISTS, or an "already
 * exists" answer is taken as applied) so two servers booting together cannot
 * break each other.
 */
const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'posts and windows',
    statements: (ks) => [
      // Partitioned by (subreddit, day) so a busy subreddit never grows one
      // unbounded partition; newest first for "latest posts" reads.
      `CREATE TABLE IF NOT EXISTS ${ks}.posts_by_subreddit_day (
        subreddit text, day date, created_at timestamp, fullname text,
        kind text, author text, title text, body text, permalink text, url text,
        score int, num_comments int, over_18 boolean, link_id text, parent_id text,
        sentiment_score double, sentiment_label text,
        ingested_at timestamp, source text, stream_id text,
        PRIMARY KEY ((subreddit, day), created_at, fullname)
      ) WITH CLUSTERING ORDER BY (created_at DESC, fullname ASC)`,
      `CREATE TABLE IF NOT EXISTS ${ks}.windows_by_subreddit_day (
        subreddit text, window_spec text, day date, window_start timestamp,
        window_end timestamp, submissions bigint, comments bigint,
        sentiment_sum double, sentiment_count bigint, sentiment_mean double,
        positive bigint, neutral bigint, negative bigint, score_sum bigint,
        first_event_at timestamp, last_event_at timestamp, updated_at timestamp,
        PRIMARY KEY ((subreddit, window_spec, day), window_start)
      ) WITH CLUSTERING ORDER BY (window_start ASC)`,
    ],
  },
  {
    id: 2,
    name: 'ingest streams and body state',
    statements: (ks) => [
      `CREATE TABLE IF NOT EXISTS ${ks}.ingest_streams (
        id text PRIMARY KEY, definition text, state text, checkpoint text, counters text,
        started_at timestamp, stopped_at timestamp, last_batch_at timestamp, updated_at timestamp)`,
      `ALTER TABLE ${ks}.posts_by_subreddit_day ADD body_state text`,
    ],
  },
  {
    id: 3,
    name: 'ingest stream last error',
    statements: (ks) => [`ALTER TABLE ${ks}.ingest_streams ADD last_error text`],
  },
  {
    id: 4,
    name: 'window details and streaming state',
    statements: (ks) => [
      `ALTER TABLE ${ks}.windows_by_subreddit_day ADD (
        unique_authors bigint, unique_authors_exact boolean, sentiment_min double,
        sentiment_max double, top_keywords text, top_mentions text, is_final boolean)`,
      // The streaming checkpoint of one Kafka partition lives in ONE Cassandra
      // partition, so a flush (windows, counted fullnames, watermark, offset) is
      // a single-partition batch: atomic and isolated. The fencing epoch is a
      // static column checked with a lightweight transaction, so an instance
      // that lost the Kafka partition in a rebalance cannot overwrite the new
      // owner's checkpoint.
      `CREATE TABLE IF NOT EXISTS ${ks}.streaming_state (
        consumer_group text, topic text, kafka_partition int,
        item_kind text, item_key text, data text,
        epoch bigint static, owner text static, next_offset text static,
        max_event_time bigint static, updated_at timestamp static,
        PRIMARY KEY ((consumer_group, topic, kafka_partition), item_kind, item_key)
      ) WITH gc_grace_seconds = 3600`,
    ],
  },
  {
    id: 5,
    name: 'sentiment model',
    // Which model scored a post, and which models scored a window's events:
    // a change of model shows in the data instead of as a silent shift.
    statements: (ks) => [
      `ALTER TABLE ${ks}.posts_by_subreddit_day ADD sentiment_model text`,
      `ALTER TABLE ${ks}.windows_by_subreddit_day ADD sentiment_model text`,
    ],
  },
  {
    id: 6,
    name: 'trends',
    // Findings are few (a handful per subreddit-hour), and read by time
    // across subreddits: one partition per hour, filtered by scope and kind
    // on read, keeps every read to a few partitions.
    statements: (ks) => [
      `CREATE TABLE IF NOT EXISTS ${ks}.trends_by_hour (
        hour timestamp, minute timestamp, scope text, kind text, term text, lane text,
        value double, expected double, score double, confidence double,
        rising_since timestamp, is_new boolean, detected_at timestamp,
        PRIMARY KEY ((hour), minute, scope, kind, term, lane)
      ) WITH CLUSTERING ORDER BY (minute DESC, scope ASC, kind ASC, term ASC, lane ASC)`,
    ],
  },
  {
    id: 7,
    name: 'checkpoint redo',
    // Names the staged redo of a checkpoint too big for one batch until it
    // has been applied (see checkpoint-redo.ts).
    statements: (ks) => [`ALTER TABLE ${ks}.streaming_state ADD pending_redo text static`],
  },
  {
    id: 8,
    name: 'window versions',
    // A window row's version (WindowRecord.version) is also its write
    // timestamp; kept as a column so a read can say which version it got.
    statements: (ks) => [`ALTER TABLE ${ks}.windows_by_subreddit_day ADD version bigint`],
  },
];

const ALREADY_APPLIED = /already exists|conflicts with an existing column/i;

export async function runCassandraMigrations(
  client: Client,
  keyspace: string,
  replicationFactor: number,
): Promise<string[]> {
  await client.execute(
    `CREATE KEYSPACE IF NOT EXISTS ${keyspace}
     WITH replication = {'class': 'SimpleStrategy', 'replication_factor': ${replicationFactor}}`,
  );
  await client.execute(
    `CREATE TABLE IF NOT EXISTS ${keyspace}.schema_migrations (
      id int PRIMARY KEY, name text, applied_at timestamp)`,
  );
  const done = await client.execute(`SELECT id FROM ${keyspace}.schema_migrations`);
  const appliedIds = new Set(done.rows.map((row) => row.get('id') as number));
  const applied: string[] = [];
  for (const migration of MIGRATIONS) {
    if (appliedIds.has(migration.id)) continue;
    for (const statement of migration.statements(keyspace)) {
      try {
        await client.execute(statement);
      } catch (error) {
        // Another server booting at the same time applied it first (ALTER ... ADD has no IF NOT EXISTS here).
        if (!(error instanceof Error && ALREADY_APPLIED.test(error.message))) throw error;
      }
    }
    await client.execute(
      `INSERT INTO ${keyspace}.schema_migrations (id, name, applied_at) VALUES (?, ?, ?)`,
      [migration.id, migration.name, new Date()],
      { prepare: true },
    );
    applied.push(`${migration.id} (${migration.name})`);
  }
  return applied;
}
