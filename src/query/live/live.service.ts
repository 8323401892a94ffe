import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AppConfig } from '@app/config';
import { type TailedRecord, TopicTail } from '@app/kafka/ports';
import { MetricsService } from '@app/metrics/metrics.service';
import { type TrendRecord, type WindowRecord } from '@app/storage/records';
import { type FeedSubscriber, LiveFeed } from './live-feed';
import { NewestVersions } from './newest-versions';

const RETRY_MS = 5_000;
/** Windows whose newest version is remembered (a few hours of 1,000 busy subreddits' minute windows). */
const VERSIONS_KEPT = 200_000;

export type LiveTopic = 'windows' | 'trends';

/**
 * Every partition's window and trend updates, as the streaming consumers
 * publish them after each flush, for live clients of this server: the
 * topics are read here in full (TopicTail), so a client of any instance
 * sees every partition, whichever partitions that instance's consumer owns.
 */
@Injectable()
export class LiveService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LiveService.name);
  readonly windows: LiveFeed<WindowRecord>;
  readonly trends: LiveFeed<TrendRecord>;
  private readonly versions = new NewestVersions(VERSIONS_KEPT);
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly tail: TopicTail,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    this.windows = new LiveFeed(config.live.replayBuffer);
    this.trends = new LiveFeed(config.live.replayBuffer);
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.metrics.liveFollowing.set(0);
    await this.tail.stop();
  }

  /** In the background (boot does not wait for the group to form), retried until it works. */
  private start(): void {
    const { topics } = this.config.kafka;
    this.tail
      .follow([topics.windows, topics.trends], {
        onRecords: (records) => this.take(records),
        resumeAt: (topic, partition) => this.feedOf(topic)?.nextOffset(partition)?.toString(),
        onStart: (topic, partition, offset) => this.feedOf(topic)?.begin(partition, BigInt(offset)),
      })
      .then(() => this.metrics.liveFollowing.set(1))
      .catch(async (error: unknown) => {
        this.logger.warn(
          `live updates unavailable, retrying in ${RETRY_MS / 1000} s: ${error instanceof Error ? error.message : String(error)}`,
        );
        await this.tail.stop().catch(() => undefined);
        if (this.stopped) return;
        this.retry = setTimeout(() => this.start(), RETRY_MS);
        this.retry.unref();
      });
  }

  subscribeWindows(subscriber: FeedSubscriber<WindowRecord>, from: string | null): () => void {
    return this.counted('windows', this.windows.subscribe(subscriber, from));
  }

  subscribeTrends(subscriber: FeedSubscriber<TrendRecord>, from: string | null): () => void {
    return this.counted('trends', this.trends.subscribe(subscriber, from));
  }

  private counted(topic: LiveTopic, unsubscribe: () => void): () => void {
    this.metrics.liveClients.inc({ topic });
    return () => {
      unsubscribe();
      this.metrics.liveClients.dec({ topic });
    };
  }

  private feedOf(topic: string): LiveFeed<WindowRecord> | LiveFeed<TrendRecord> | null {
    const { topics } = this.config.kafka;
    return topic === topics.windows ? this.windows : topic === topics.trends ? this.trends : null;
  }

  private take(records: readonly TailedRecord[]): void {
    const { topics } = this.config.kafka;
    for (const record of records) {
      let value: unknown;
      try {
        value = JSON.parse(record.value);
      } catch {
        continue; // Not ours: both topics only ever carry JSON written by this server.
      }
      const offset = BigInt(record.offset);
      if (record.topic === topics.windows) {
        const window = value as WindowRecord;
        // Rows from before versions were published have none: their updatedAtMs was their version.
        const version = typeof window.version === 'number' ? window.version : window.updatedAtMs;
        const key = `${window.subreddit}|${window.window}|${window.windowStartMs}`;
        if (this.versions.admit(key, version))
          this.windows.publish(record.partition, offset, window);
        else this.windows.pass(record.partition, offset);
      } else if (record.topic === topics.trends)
        this.trends.publish(record.partition, offset, value as TrendRecord);
    }
  }
}
