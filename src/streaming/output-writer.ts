import { Injectable } from '@nestjs/common';
import { keptPosts } from '@app/common/posts-policy';
import { AppConfig } from '@app/config';
import {
  DeadLetterSink,
  LateEventSink,
  TrendMinutePublisher,
  TrendPublisher,
  WindowPublisher,
} from '@app/kafka/ports';
import { type MinutesReport } from '@app/trends/domain';
import { MetricsService } from '@app/metrics/metrics.service';
import { PostStore, TrendStore, Warehouse, WindowStore } from '@app/storage/ports';
import { type TrendRecord, type WindowRecord } from '@app/storage/records';
import { type BufferedOutputs } from './partition/output-buffer';

/** Posts each store was given by a write (their policies keep all, some or none). */
export interface PostsWritten {
  readonly cassandra: number;
  readonly warehouse: number;
}

export const NO_POSTS: PostsWritten = { cassandra: 0, warehouse: 0 };

/** Window rows encoded and written at a time (see writeWindows). */
export const WINDOW_WRITE_CHUNK = 2_000;

/**
 * Writes one flush's outputs to every store and topic. Each write is an
 * idempotent upsert keyed by window or fullname (window rows carry a
 * version by which every store keeps the newest), so writing a flush again
 * after a failure or on a new owner is harmless.
 */
@Injectable()
export class OutputWriter {
  constructor(
    private readonly posts: PostStore,
    private readonly windows: WindowStore,
    private readonly warehouse: Warehouse,
    private readonly publisher: WindowPublisher,
    private readonly trendStore: TrendStore,
    private readonly trendPublisher: TrendPublisher,
    private readonly trendMinutes: TrendMinutePublisher,
    private readonly lateSink: LateEventSink,
    private readonly deadLetterSink: DeadLetterSink,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Resolves once every output has landed, with the posts each store was
   * given (for recordWritten); rejects if any failed.
   */
  async write(
    windows: readonly WindowRecord[],
    outputs: BufferedOutputs,
    trends: readonly TrendRecord[] = [],
    reports: readonly MinutesReport[] = [],
  ): Promise<PostsWritten> {
    const { late, deadLetters } = outputs;
    // Each store keeps the posts its policy says (CASSANDRA_POSTS, WAREHOUSE_POSTS).
    const cassandraPosts = keptPosts(this.config.cassandra.posts, outputs.posts);
    const warehousePosts = keptPosts(this.config.warehouse.posts, outputs.posts);
    const stop = this.metrics.batchDuration.startTimer({ stage: 'outputs' });
    // Window and trend rows first, and alone: they are small and what
    // dashboards wait for, while encoding the posts holds the event loop for
    // a while. The rest goes out once they have landed.
    const windowOutputs = Promise.all([
      trends.length > 0 &&
        this.timed('cassandra_trends', () => this.trendStore.upsertTrends(trends)),
      trends.length > 0 && this.timed('kafka_trends', () => this.trendPublisher.publish(trends)),
      trends.length > 0 && this.timed('warehouse_trends', () => this.warehouse.loadTrends(trends)),
      this.writeWindows(windows),
    ]);
    const otherOutputs = windowOutputs.then(() =>
      Promise.all([
        cassandraPosts.length > 0 &&
          this.timed('cassandra_posts', () => this.posts.upsertPosts(cassandraPosts)),
        warehousePosts.length > 0 &&
          this.timed('warehouse_posts', () => this.warehouse.loadPosts(warehousePosts)),
        late.length > 0 && this.timed('kafka_late', () => this.lateSink.send(late)),
        reports.length > 0 &&
          this.timed('kafka_trend_minutes', () => this.trendMinutes.publish(reports)),
        deadLetters.length > 0 &&
          this.timed('kafka_dead_letter', () => this.deadLetterSink.send(deadLetters)),
      ]),
    );
    await Promise.all([windowOutputs, otherOutputs]);
    stop();
    return { cassandra: cassandraPosts.length, warehouse: warehousePosts.length };
  }

  /**
   * Window rows in chunks of WINDOW_WRITE_CHUNK, each chunk to the three
   * outputs at once and the next once it has landed. A flush holds one row
   * per window its events touched: a few hundred with tens of subreddits,
   * tens of thousands with thousands of them and several window specs. Each
   * output's encoding of a row (statement parameters, JSON text, Kafka
   * message) is several times the row: encoded all at once they took tens
   * of MiB of a 5,000-subreddit server's heap (the Kafka message text alone
   * was 31 MiB in a heap snapshot); a chunk at a time bounds that.
   * Nothing changes for exactly-once: the checkpoint still follows the last
   * chunk, and every row is an upsert that a retry rewrites.
   */
  private async writeWindows(windows: readonly WindowRecord[]): Promise<void> {
    for (let start = 0; start < windows.length; start += WINDOW_WRITE_CHUNK) {
      const chunk = windows.slice(start, start + WINDOW_WRITE_CHUNK);
      await Promise.all([
        this.timed('cassandra_windows', () => this.windows.upsertWindows(chunk)),
        this.timed('kafka_windows', () => this.publisher.publish(chunk)),
        this.timed('warehouse_windows', () => this.warehouse.loadWindows(chunk)),
      ]);
    }
  }

  /** Counts the rows of a flush that has landed. */
  recordWritten(posts: PostsWritten, windows: number, trends = 0): void {
    const { postsWritten, windowsWritten, trendsWritten } = this.metrics;
    if (trends > 0) {
      for (const store of ['cassandra', 'warehouse', 'kafka']) trendsWritten.inc({ store }, trends);
    }
    if (posts.cassandra > 0) postsWritten.inc({ store: 'cassandra' }, posts.cassandra);
    if (posts.warehouse > 0) postsWritten.inc({ store: 'warehouse' }, posts.warehouse);
    if (windows > 0) {
      windowsWritten.inc({ store: 'cassandra' }, windows);
      windowsWritten.inc({ store: 'warehouse' }, windows);
      windowsWritten.inc({ store: 'kafka' }, windows);
    }
  }

  /**
   * Runs one output's write, timed; a failure names the output, so the
   * reason a paused partition shows in /health says which store or topic it
   * waits for ("warehouse_posts: connect ECONNREFUSED ...").
   */
  private async timed(output: string, write: () => Promise<void>): Promise<void> {
    const end = this.metrics.outputDuration.startTimer({ output });
    try {
      await write();
    } catch (error) {
      throw new Error(`${output}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    end();
  }
}
