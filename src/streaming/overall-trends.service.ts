import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnModuleInit,
} from '@nestjs/common';
import { Clock } from '@app/common/clock';
import { AppConfig } from '@app/config';
import { type ConsumedBatch } from '@app/kafka/consumer/consumed-batch';
import { ConsumerControl } from '@app/kafka/consumer/consumer-control';
import { TrendMinutePublisher } from '@app/kafka/ports';
import { MetricsService } from '@app/metrics/metrics.service';
import { CheckpointFencedError, WindowCheckpointStore } from '@app/storage/ports';
import { type PartitionRef } from '@app/storage/records';
import {
  AllSubredditsTrends,
  isTrendStateItem,
  type MinutesReport,
  type TrendFinding,
} from '@app/trends/domain';
import { toTrendRecord } from './mapping';
import { NO_POSTS, OutputWriter } from './output-writer';
import { type BatchOutcome } from './streaming.service';
import { trendOptionsOf } from './trend-settings';

const MAX_BACKOFF_MS = 5_000;
/** With no input for this long, the judge ticks its own input (see MinutesReport.tick). */
const TICK_AFTER_MS = 10_000;
const NO_OUTPUTS = { posts: [], late: [], deadLetters: [] };

/**
 * Trends across every streamed subreddit. The consumers hand each live
 * subreddit-minute they judge to one single-partition topic; whichever
 * server owns that partition judges the sums per minute (AllSubredditsTrends),
 * as one more scope ("*").
 *
 * Exactly once against that topic: every decision is a function of its
 * messages in offset order, and the state is checkpointed with the offset
 * it covers, fenced like the partitions' own, so a restart or a move to
 * another server finds the same trends.
 */
@Injectable()
export class OverallTrendsService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(OverallTrendsService.name);
  private readonly owner = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly trends: AllSubredditsTrends;
  private epoch: number | null = null;
  /** First offset not yet taken into memory. */
  private nextOffset: bigint | null = null;
  /**
   * First offset the checkpoint does not cover; before the first
   * checkpoint, the first offset taken since the state was restored. A
   * failure re-reads from here: the state is rebuilt from the checkpoint.
   */
  private checkpointOffset: bigint | null = null;
  /** The first offset of a batch that began past `nextOffset`, once sent back for it (see take). */
  private gapAt: bigint | null = null;
  private lastCheckpointMs = 0;
  private failures = 0;
  /** Bumped whenever the state is dropped: a batch still writing for older state saves nothing. */
  private generation = 0;
  private lock: Promise<unknown> = Promise.resolve();
  /** Whether this server's consumer owns the input partition, and when it last read from it. */
  private owned = false;
  private lastInputAtMs = 0;
  private ticker: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly store: WindowCheckpointStore,
    private readonly writer: OutputWriter,
    private readonly control: ConsumerControl,
    private readonly ticks: TrendMinutePublisher,
    private readonly metrics: MetricsService,
    private readonly clock: Clock,
  ) {
    this.trends = new AllSubredditsTrends(trendOptionsOf(config.trends));
  }

  onModuleInit(): void {
    // Another server may own the partition after a rebalance: its checkpoint is the state.
    this.control.onRebalancing(() => this.drop());
    this.control.onAssigned((assignment) => {
      this.owned = (assignment.get(this.config.kafka.topics.trendMinutes) ?? []).length > 0;
      this.lastInputAtMs = this.clock.now();
    });
    if (!this.config.streaming.enabled || !this.config.trends.enabled) return;
    this.ticker = setInterval(() => this.tick(), TICK_AFTER_MS / 2);
    this.ticker.unref();
  }

  beforeApplicationShutdown(): void {
    if (this.ticker) clearInterval(this.ticker);
  }

  /**
   * Once every partition has gone quiet nothing arrives to say so: a tick
   * through the input lets the last minutes be judged by its timestamps.
   */
  private tick(): void {
    if (!this.owned || this.clock.now() - this.lastInputAtMs < TICK_AFTER_MS) return;
    this.lastInputAtMs = this.clock.now();
    this.ticks
      .publish([{ source: 'tick', tick: true, watermarkMs: null, minutes: [] }])
      .catch((error: unknown) =>
        this.logger.warn(
          `tick not sent: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
  }

  processBatch(batch: ConsumedBatch): Promise<BatchOutcome> {
    const run = this.lock.then(() => this.take(batch));
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async take(batch: ConsumedBatch): Promise<BatchOutcome> {
    const first = batch.messages[0];
    const last = batch.messages[batch.messages.length - 1];
    if (!first || !last) return { commitOffset: null, deferred: false };
    this.lastInputAtMs = this.clock.now();
    const ref: PartitionRef = {
      group: this.config.kafka.consumerGroup,
      topic: batch.topic,
      partition: batch.partition,
    };
    try {
      if (this.epoch === null) await this.restore(ref);
      const epoch = this.epoch ?? 0;
      const generation = this.generation;
      const firstOffset = BigInt(first.offset);
      if (this.nextOffset !== null && firstOffset > this.nextOffset) {
        // A batch fetched before a seek back, or a position past the
        // checkpoint: the reports in between would be skipped. Read them,
        // unless this is the same hole again (they are gone from the log).
        if (this.gapAt !== firstOffset) {
          this.gapAt = firstOffset;
          this.control.seek(batch.topic, batch.partition, this.nextOffset.toString());
          return { commitOffset: null, deferred: true };
        }
        this.logger.warn(
          `${batch.topic}/${batch.partition}: offsets ${this.nextOffset}..${firstOffset - 1n} are no longer in the log; going on from ${firstOffset}`,
        );
      }
      this.gapAt = null;
      this.checkpointOffset ??= firstOffset;
      const from = this.nextOffset ?? firstOffset;
      const findings: TrendFinding[] = [];
      let minutes = 0;
      let dropped = 0;
      for (const message of batch.messages) {
        if (BigInt(message.offset) < from) continue;
        const report = parseReport(message.value);
        if (!report) {
          this.logger.warn(`${batch.topic}@${message.offset}: not a minutes report, skipped`);
          continue;
        }
        // Judged report by report, so where the batches are cut changes nothing.
        const judged = this.trends.add(report, message.timestampMs);
        findings.push(...judged.findings);
        minutes += judged.minutes;
        dropped += judged.dropped;
      }
      const next = BigInt(last.offset) + 1n;
      if (next <= from) return { commitOffset: null, deferred: false };
      this.nextOffset = next;
      const detectedAtMs = this.clock.now();
      const rows = findings.map((finding) => toTrendRecord(finding, detectedAtMs));
      if (rows.length > 0) await this.writer.write([], NO_OUTPUTS, rows);
      this.writer.recordWritten(NO_POSTS, 0, rows.length);
      for (const row of rows) this.metrics.trendsFound.inc({ kind: row.kind });
      if (minutes > 0) this.metrics.trendMinutesJudged.inc(minutes);
      if (dropped > 0) this.metrics.trendMinutesDropped.inc(dropped);
      // Every partition reports each second: checkpoint when minutes were
      // judged or the interval has passed, and commit only what it covers.
      const now = this.clock.now();
      if (minutes === 0 && now - this.lastCheckpointMs < this.config.streaming.checkpointIntervalMs)
        return { commitOffset: null, deferred: false };
      // Dropped meanwhile (a rebalance): the next owner starts from the checkpoint.
      if (this.generation !== generation) return { commitOffset: null, deferred: true };
      const delta = this.trends.takeCheckpoint();
      await this.store.save(ref, {
        epoch,
        nextOffset: next.toString(),
        maxEventTimeMs: this.trends.judgedThrough,
        upserts: delta.upserts,
        deletes: delta.deletes,
      });
      this.checkpointOffset = next;
      this.lastCheckpointMs = now;
      this.failures = 0;
      return { commitOffset: next.toString(), deferred: false };
    } catch (error) {
      this.drop();
      this.failures++;
      const fenced = error instanceof CheckpointFencedError;
      this.metrics.flushes.inc({ outcome: fenced ? 'fenced' : 'failed' });
      const backoff = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(this.failures - 1, 10));
      this.logger.warn(
        `${batch.topic}/${batch.partition}: judging all subreddits failed (${error instanceof Error ? error.message : String(error)}); re-reading from the checkpoint in ${backoff} ms`,
      );
      await new Promise((resolve) => setTimeout(resolve, backoff));
      // Read again from what the checkpoint covers (the claim skips anything before it).
      const from = this.checkpointOffset ?? BigInt(first.offset);
      this.checkpointOffset = null;
      this.control.seek(batch.topic, batch.partition, from.toString());
      return { commitOffset: null, deferred: true };
    }
  }

  private async restore(ref: PartitionRef): Promise<void> {
    const checkpoint = await this.store.claim(ref, this.owner);
    this.trends.restore(checkpoint.items.filter(isTrendStateItem), checkpoint.maxEventTimeMs);
    this.epoch = checkpoint.epoch;
    this.nextOffset = checkpoint.nextOffset === null ? null : BigInt(checkpoint.nextOffset);
    this.checkpointOffset = this.nextOffset;
    this.lastCheckpointMs = this.clock.now();
    this.logger.log(
      `all-subreddits trends restored (epoch ${checkpoint.epoch}, covers offsets before ${checkpoint.nextOffset ?? 'none'})`,
    );
  }

  private drop(): void {
    this.generation++;
    this.epoch = null;
    this.nextOffset = null;
    this.trends.clear();
  }
}

function parseReport(value: Buffer | null): MinutesReport | null {
  if (!value) return null;
  try {
    const parsed = JSON.parse(value.toString()) as Partial<MinutesReport>;
    if (
      typeof parsed.source !== 'string' ||
      (parsed.watermarkMs !== null && typeof parsed.watermarkMs !== 'number') ||
      !Array.isArray(parsed.minutes) ||
      (parsed.partitions !== undefined &&
        !(Number.isInteger(parsed.partitions) && parsed.partitions > 0))
    )
      return null;
    return parsed as MinutesReport;
  } catch {
    return null;
  }
}
