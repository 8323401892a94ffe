import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { AppConfig } from '@app/config';
import { retryUntil } from '@app/common/retry';
import { type DependencyHealth } from '@app/common/health';
import { Warehouse } from '../ports';
import { type PostRecord, topListJson, type TrendRecord, type WindowRecord } from '../records';
import { dialectFor, type WarehouseDialect, warehouseText } from './dialect';
import { lastByKey, stagedMerge } from './staged-merge';
import { runWarehouseMigrations } from './warehouse-migrations';

const POST_COLUMNS = [
  'fullname',
  'kind',
  'subreddit',
  'created_at',
  'author',
  'title',
  'body',
  'permalink',
  'url',
  'score',
  'num_comments',
  'over_18',
  'link_id',
  'parent_id',
  'sentiment_score',
  'sentiment_label',
  'ingested_at',
  'source',
  'stream_id',
  'loaded_at',
  'body_state',
  'sentiment_model',
] as const;

const WINDOW_COLUMNS = [
  'subreddit',
  'window_spec',
  'window_start',
  'window_end',
  'submissions',
  'comments',
  'sentiment_sum',
  'sentiment_count',
  'sentiment_mean',
  'positive',
  'neutral',
  'negative',
  'score_sum',
  'first_event_at',
  'last_event_at',
  'updated_at',
  'unique_authors',
  'unique_authors_exact',
  'sentiment_min',
  'sentiment_max',
  'top_keywords',
  'top_mentions',
  'is_final',
  'sentiment_model',
  'version',
] as const;

const TREND_COLUMNS = [
  'scope',
  'kind',
  'term',
  'lane',
  'minute_start',
  'value',
  'expected',
  'score',
  'confidence',
  'rising_since',
  'is_new',
  'detected_at',
] as const;

const iso = (ms: number): string => new Date(ms).toISOString();

/** The warehouse through `pg`: PostgreSQL locally, Amazon Redshift in production (same wire protocol). */
@Injectable()
export class PgWarehouse extends Warehouse implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PgWarehouse.name);
  private readonly pool: Pool;
  private readonly dialect: WarehouseDialect;
  private readonly schema: string;

  constructor(private readonly config: AppConfig) {
    super();
    this.pool = new Pool({
      connectionString: config.warehouse.url,
      // Each partition's flush loads posts and windows at once: room for several partitions.
      max: 8,
      connectionTimeoutMillis: 5000,
    });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    this.pool.on('error', (error) =>
      this.logger.warn(`idle warehouse connection failed: ${error.message}`),
    );
    this.dialect = dialectFor(config.warehouse.dialect);
    this.schema = config.warehouse.schema;
  }

  async onModuleInit(): Promise<void> {
    const applied = await retryUntil(
      () => runWarehouseMigrations(this.pool, this.schema, this.dialect),
      {
        deadlineMs: this.config.dependencyConnectTimeoutMs,
        what: 'the warehouse',
        onRetry: (error) => this.logger.warn(`warehouse not ready yet: ${String(error)}`),
      },
    );
    this.logger.log(
      `Connected to the warehouse (${this.dialect.name}), schema ${this.schema}` +
        (applied.length > 0 ? `, applied migrations ${applied.join(', ')}` : ''),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }

  async loadPosts(posts: readonly PostRecord[]): Promise<void> {
    if (posts.length === 0) return;
    const max = this.dialect.maxVarcharBytes;
    const loadedAt = iso(Date.now());
    const rows = lastByKey(posts, (p) => p.fullname).map((p) => [
      p.fullname,
      p.kind,
      p.subreddit,
      iso(p.createdAtMs),
      warehouseText(p.author, 64),
      warehouseText(p.title, 1200),
      warehouseText(p.body, max),
      warehouseText(p.permalink, 1024),
      warehouseText(p.url, 4096),
      Math.trunc(p.score),
      p.numComments,
      p.over18,
      p.linkId,
      p.parentId,
      p.sentimentScore,
      p.sentimentLabel,
      iso(p.ingestedAtMs),
      p.source,
      p.streamId,
      loadedAt,
      p.bodyState,
      warehouseText(p.sentimentModel, 64),
    ]);
    await this.withClient((client) =>
      stagedMerge(
        client,
        {
          schema: this.schema,
          table: 'fact_posts',
          columns: POST_COLUMNS,
          keyColumns: ['fullname'],
        },
        rows,
        this.dialect.load,
      ),
    );
  }

  async loadWindows(windows: readonly WindowRecord[]): Promise<void> {
    if (windows.length === 0) return;
    const rows = lastByKey(windows, (w) => `${w.subreddit}|${w.window}|${w.windowStartMs}`).map(
      (w) => [
        w.subreddit,
        w.window,
        iso(w.windowStartMs),
        iso(w.windowEndMs),
        w.submissions,
        w.comments,
        w.sentimentSum,
        w.sentimentCount,
        w.sentimentMean,
        w.positive,
        w.neutral,
        w.negative,
        Math.trunc(w.scoreSum),
        iso(w.firstEventMs),
        iso(w.lastEventMs),
        iso(w.updatedAtMs),
        w.uniqueAuthors,
        w.uniqueAuthorsExact,
        w.sentimentMin,
        w.sentimentMax,
        topListJson(w.topKeywords),
        topListJson(w.topMentions),
        w.final,
        warehouseText(w.sentimentModel, 256),
        w.version,
      ],
    );
    await this.withClient((client) =>
      stagedMerge(
        client,
        {
          schema: this.schema,
          table: 'fact_windows',
          columns: WINDOW_COLUMNS,
          keyColumns: ['subreddit', 'window_spec', 'window_start'],
          // A window row is recomputed as events arrive: a late load must not
          // bring back an older count (see WindowRecord.version).
          versionColumn: 'version',
        },
        rows,
        this.dialect.load,
      ),
    );
  }

  async loadTrends(trends: readonly TrendRecord[]): Promise<void> {
    if (trends.length === 0) return;
    // Keyed as stored: two long terms that truncate alike are one row.
    const rows = lastByKey(
      trends,
      (t) =>
        `${t.scope}|${t.kind}|${warehouseText(t.term, 256)}|${warehouseText(t.lane, 128)}|${t.minuteMs}`,
    ).map((t) => [
      t.scope,
      t.kind,
      warehouseText(t.term, 256),
      warehouseText(t.lane, 128),
      iso(t.minuteMs),
      t.value,
      t.expected,
      t.score,
      t.confidence,
      iso(t.sinceMs),
      t.isNew,
      iso(t.detectedAtMs),
    ]);
    await this.withClient((client) =>
      stagedMerge(
        client,
        {
          schema: this.schema,
          table: 'fact_trends',
          columns: TREND_COLUMNS,
          keyColumns: ['scope', 'kind', 'term', 'lane', 'minute_start'],
        },
        rows,
        this.dialect.load,
      ),
    );
  }

  async health(): Promise<DependencyHealth> {
    const started = Date.now();
    try {
      await this.pool.query('SELECT 1');
      return {
        status: 'up',
        detail: `${this.dialect.name}, schema ${this.schema}`,
        latencyMs: Date.now() - started,
      };
    } catch (error) {
      return { status: 'down', detail: error instanceof Error ? error.message : String(error) };
    }
  }

  private async withClient<T>(work: (client: import('pg').PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await work(client);
    } finally {
      client.release();
    }
  }
}
