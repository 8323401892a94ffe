import { Injectable } from '@nestjs/common';
import { types } from 'cassandra-driver';
import { AppConfig } from '@app/config';
import { type DependencyHealth } from '@app/common/health';
import { WindowStore } from '../ports';
import {
  parseTopList,
  topListJson,
  utcDay,
  utcDaysBetween,
  type WindowQuery,
  type WindowRecord,
} from '../records';
import { CassandraSession } from './cassandra-session';
import { localDate } from './local-dates';
import { forEachConcurrently, type PartitionRow, partitionBatches } from './partition-batches';

/**
 * Batches in flight at once. Window batches are small (a few rows of one
 * subreddit, spec and day) and what dashboards wait for, so a flush's batches
 * go out together rather than in waves that each wait for the event loop.
 */
const CONCURRENCY = 64;
/** The fixed-size columns, roughly; the top-K lists are added. */
const ROW_OVERHEAD_BYTES = 250;

function toNumber(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return value;
  if (value instanceof types.Long) return value.toNumber();
  return Number(value);
}

interface VersionedRow extends PartitionRow {
  /** WindowRecord.version (milliseconds since 1970 at the latest). */
  readonly version: number;
}

function toMs(value: unknown): number {
  return value instanceof Date ? value.getTime() : Number.NaN;
}

@Injectable()
export class CassandraWindowStore extends WindowStore {
  private readonly table: string;
  private readonly upsert: string;

  constructor(
    private readonly session: CassandraSession,
    config: AppConfig,
  ) {
    super();
    this.table = `${config.cassandra.keyspace}.windows_by_subreddit_day`;
    this.upsert = `INSERT INTO ${this.table} (
      subreddit, window_spec, day, window_start, window_end, submissions, comments,
      sentiment_sum, sentiment_count, sentiment_mean, positive, neutral, negative, score_sum,
      first_event_at, last_event_at, updated_at, unique_authors, unique_authors_exact,
      sentiment_min, sentiment_max, top_keywords, top_mentions, is_final, sentiment_model, version)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
  }

  async upsertWindows(windows: readonly WindowRecord[]): Promise<void> {
    if (windows.length === 0) return;
    const rows = windows.map((w): VersionedRow => {
      const day = utcDay(w.windowStartMs);
      const topKeywords = topListJson(w.topKeywords);
      const topMentions = topListJson(w.topMentions);
      return {
        // One write timestamp per batch (below), so rows of different versions never share one.
        partitionKey: `${w.subreddit}|${w.window}|${day}|${w.version}`,
        rowKey: `${w.subreddit}|${w.window}|${w.windowStartMs}`,
        bytes: ROW_OVERHEAD_BYTES + topKeywords.length + topMentions.length,
        version: w.version,
        params: [
          w.subreddit,
          w.window,
          localDate(day),
          new Date(w.windowStartMs),
          new Date(w.windowEndMs),
          types.Long.fromNumber(w.submissions),
          types.Long.fromNumber(w.comments),
          w.sentimentSum,
          types.Long.fromNumber(w.sentimentCount),
          w.sentimentMean,
          types.Long.fromNumber(w.positive),
          types.Long.fromNumber(w.neutral),
          types.Long.fromNumber(w.negative),
          types.Long.fromNumber(Math.trunc(w.scoreSum)),
          new Date(w.firstEventMs),
          new Date(w.lastEventMs),
          new Date(w.updatedAtMs),
          types.Long.fromNumber(w.uniqueAuthors),
          w.uniqueAuthorsExact,
          w.sentimentMin,
          w.sentimentMax,
          topKeywords,
          topMentions,
          w.final,
          w.sentimentModel,
          types.Long.fromNumber(w.version),
        ],
      };
    });
    // The write timestamp is the row's version (see WindowRecord.version), not
    // the time the request happens to go out: Cassandra keeps the cell with
    // the highest timestamp, so a late write from a server that has lost the
    // partition cannot put an older count back over the new owner's. A row
    // written before versions existed has its updated_at as write timestamp,
    // below the version any later claim starts from.
    await forEachConcurrently(partitionBatches<VersionedRow>(rows), CONCURRENCY, (batch) =>
      this.session.client.batch(
        batch.map((row) => ({ query: this.upsert, params: row.params })),
        {
          prepare: true,
          logged: false,
          timestamp: types.Long.fromNumber((batch[0]?.version ?? 0) * 1000),
        },
      ),
    );
  }

  async findWindows(query: WindowQuery): Promise<WindowRecord[]> {
    const days = utcDaysBetween(query.fromMs, query.toMs);
    const cql = `SELECT * FROM ${this.table}
      WHERE subreddit = ? AND window_spec = ? AND day = ? AND window_start >= ? AND window_start < ?`;
    const results = await Promise.all(
      days.map((day) =>
        this.session.client.execute(
          cql,
          [
            query.subreddit,
            query.window,
            localDate(day),
            new Date(query.fromMs),
            new Date(query.toMs),
          ],
          { prepare: true },
        ),
      ),
    );
    return results.flatMap((result) => result.rows.map((row) => this.toRecord(row)));
  }

  async getWindows(
    keys: readonly { subreddit: string; window: string; windowStartMs: number }[],
  ): Promise<WindowRecord[]> {
    const cql = `SELECT * FROM ${this.table}
      WHERE subreddit = ? AND window_spec = ? AND day = ? AND window_start = ?`;
    const results = await Promise.all(
      keys.map((key) =>
        this.session.client.execute(
          cql,
          [
            key.subreddit,
            key.window,
            localDate(utcDay(key.windowStartMs)),
            new Date(key.windowStartMs),
          ],
          { prepare: true },
        ),
      ),
    );
    return results.flatMap((result) => result.rows.map((row) => this.toRecord(row)));
  }

  health(): Promise<DependencyHealth> {
    return this.session.health();
  }

  private toRecord(row: types.Row): WindowRecord {
    const mean = row.get('sentiment_mean') as number | null;
    return {
      subreddit: row.get('subreddit') as string,
      window: row.get('window_spec') as string,
      windowStartMs: toMs(row.get('window_start')),
      windowEndMs: toMs(row.get('window_end')),
      submissions: toNumber(row.get('submissions')),
      comments: toNumber(row.get('comments')),
      uniqueAuthors: toNumber(row.get('unique_authors')),
      uniqueAuthorsExact: (row.get('unique_authors_exact') as boolean | null) ?? true,
      sentimentMin: row.get('sentiment_min') as number | null,
      sentimentMax: row.get('sentiment_max') as number | null,
      topKeywords: parseTopList(row.get('top_keywords')),
      topMentions: parseTopList(row.get('top_mentions')),
      final: (row.get('is_final') as boolean | null) ?? false,
      sentimentSum: toNumber(row.get('sentiment_sum')),
      sentimentCount: toNumber(row.get('sentiment_count')),
      sentimentMean: mean,
      positive: toNumber(row.get('positive')),
      neutral: toNumber(row.get('neutral')),
      negative: toNumber(row.get('negative')),
      sentimentModel: row.get('sentiment_model') as string | null,
      scoreSum: toNumber(row.get('score_sum')),
      firstEventMs: toMs(row.get('first_event_at')),
      lastEventMs: toMs(row.get('last_event_at')),
      updatedAtMs: toMs(row.get('updated_at')),
      // Rows from before versions were kept: their version was updated_at.
      version:
        row.get('version') === null ? toMs(row.get('updated_at')) : toNumber(row.get('version')),
    };
  }
}
