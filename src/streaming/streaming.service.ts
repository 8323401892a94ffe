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
import { UNKNOWN_STREAM } from '@app/events/stream-outcomes';
import { type ConsumedBatch } from '@app/kafka/consumer/consumed-batch';
import { ConsumerControl } from '@app/kafka/consumer/consumer-control';
import { MetricsService } from '@app/metrics/metrics.service';
import { type EnrichedEvent, NlpService } from '@app/nlp/nlp.service';
import { decodeBatch } from './batch-decoder';
import { Checkpointer } from './checkpointer';
import { ClosedWindowArchive } from './closed-window-archive';
import { recordConsumption, tallyBatch } from './consumption-metrics';
import {
  type EngineInput,
  ingestAcrossLaneEnds,
  NOTHING_ARCHIVED,
  parseWindowSpec,
  WindowEngine,
} from './domain/engine';
import { toEngineInput, toLateEvents, toPostRecord } from './mapping';
import { Flusher } from './flusher';
import { OutputWriter } from './output-writer';
import { PartitionLifecycle } from './partition/partition-lifecycle';
import { trendOptionsOf } from './trend-settings';
import { PartitionTrends } from '@app/trends/domain';
import { type PartitionRuntime, type PausedPartition } from './partition/partition-runtime';

/** What the transport does after a batch: commit up to `commitOffset`, or leave it for a retry. */
export interface BatchOutcome {
  /** Next offset covered by durable state and outputs (null: nothing new to commit). */
  readonly commitOffset: string | null;
  /** The batch was not taken (the partition is paused and will be re-read from its checkpoint). */
  readonly deferred: boolean;
}

export interface StreamingStatus {
  readonly state: 'running' | 'paused' | 'stopped';
  readonly partitions: number[];
  readonly paused: PausedPartition[];
  readonly watermarkMs: number | null;
  readonly openWindows: number;
  readonly lastFlushAtMs: number | null;
  /** Streams whose events were dropped as too late on the partitions held here. */
  readonly tooLate: readonly { readonly streamId: string; readonly events: number }[];
}

const MAX_TICK_MS = 200;

/** A graceful stop waits this long at most for the last flushes. */
const SHUTDOWN_FLUSH_TIMEOUT_MS = 10_000;

/**
 * The consumer side of the pipeline.
 *
 * Per batch: decode (poison messages to the dead-letter topic), NLP, then the
 * window engine, all in memory. Per flush (every WINDOW_FLUSH_INTERVAL_MS per
 * partition, or sooner when much is buffered): write changed windows, then
 * posts, to Cassandra and the warehouse, publish windows and late events;
 * every STREAMING_CHECKPOINT_INTERVAL_MS the flush then checkpoints the
 * partition's window state atomically, and only then lets the consumed
 * offsets be committed. A flush runs while its partition goes on
 * consuming, with at most one flush in flight per partition: the consumer
 * fetches again only once every batch of a fetch is handled, so a batch that
 * waited for its own partition's writes would hold every partition up.
 *
 * Exactly-once results: every output is an idempotent upsert keyed by
 * (subreddit, window spec, window start) or fullname, and the checkpoint says
 * which offsets its state covers. After a crash, restart or rebalance, the
 * new owner restores the checkpoint, skips what it covers and re-reads the
 * rest; counted fullnames are part of the state, so nothing counts twice.
 * Outputs written after the checkpoint are written again by the replay, with
 * the same counts: the engine's decisions depend only on the partition's
 * messages in offset order.
 * If any write fails, the partition is rebuilt from its checkpoint: it is
 * paused, seeked back and resumed with backoff, so memory stays bounded while
 * a store is down and nothing is lost.
 *
 * A flush can still be writing when its partition moves to another server.
 * Its outputs are harmless: the engine's decisions depend only on the
 * partition's messages, so the new owner's replay writes the same rows, and
 * window rows carry a version (when they were computed) by which every store
 * keeps the newest, so a late write cannot put an older count back.
 */
@Injectable()
export class StreamingService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(StreamingService.name);
  private readonly engine: WindowEngine;
  private readonly partitions: PartitionLifecycle;
  private readonly owner = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly flusher: Flusher;
  private ticker: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly nlp: NlpService,
    writer: OutputWriter,
    private readonly checkpoints: Checkpointer,
    private readonly archive: ClosedWindowArchive,
    private readonly control: ConsumerControl,
    private readonly metrics: MetricsService,
    private readonly clock: Clock,
  ) {
    const streaming = config.streaming;
    this.engine = new WindowEngine({
      specs: streaming.windowSpecs.map(parseWindowSpec),
      outOfOrdernessMs: streaming.outOfOrdernessMs,
      allowedLatenessMs: streaming.allowedLatenessMs,
      idleTimeoutMs: streaming.idleTimeoutMs,
      mergeHorizonMs: streaming.mergeHorizonMs,
      clock,
    });
    this.partitions = new PartitionLifecycle({
      engine: this.engine,
      control,
      metrics,
      clock,
      consumerGroup: config.kafka.consumerGroup,
      topic: config.kafka.topics.events,
      retryMaxBackoffMs: streaming.retryMaxBackoffMs,
      trends: config.trends.enabled
        ? () => new PartitionTrends(trendOptionsOf(config.trends))
        : undefined,
    });
    this.flusher = new Flusher({
      engine: this.engine,
      partitions: this.partitions,
      writer,
      checkpoints,
      control,
      metrics,
      clock,
      config: streaming,
    });
  }

  onModuleInit(): void {
    this.control.onRebalancing(() => this.partitions.resetAll('group rebalancing'));
    this.control.onAssigned((assignment) => this.partitions.assigned(assignment));
    if (!this.config.streaming.enabled) return;
    const every = Math.min(
      MAX_TICK_MS,
      Math.max(10, this.config.streaming.windowFlushIntervalMs / 4),
    );
    this.ticker = setInterval(() => this.tick(), every);
    this.ticker.unref();
  }

  /**
   * Before the stores close: stop the timer, let in-flight flushes finish and
   * flush what is buffered, so the next owner of each partition re-reads
   * little. Offsets are not committed here; the checkpoint covers them.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.partitions.stop();
    if (this.ticker) clearInterval(this.ticker);
    const finalFlushes = Promise.allSettled(
      [...this.partitions.all].map((runtime) =>
        runtime.locked(async () => {
          if (runtime.flushing) await runtime.flushing;
          if (runtime.epoch !== null && !runtime.paused) await this.flusher.flush(runtime, true);
        }),
      ),
    );
    await Promise.race([
      finalFlushes,
      new Promise((resolve) => setTimeout(resolve, SHUTDOWN_FLUSH_TIMEOUT_MS).unref()),
    ]);
  }

  /** Takes one partition batch into memory; flushes when due. Resolves when it is safe to go on. */
  processBatch(batch: ConsumedBatch): Promise<BatchOutcome> {
    const runtime = this.partitions.runtimeOf(batch.topic, batch.partition);
    return runtime.locked(() => this.takeBatch(runtime, batch));
  }

  status(): StreamingStatus {
    const paused = this.partitions.paused();
    return {
      state: this.partitions.stopped ? 'stopped' : paused.length > 0 ? 'paused' : 'running',
      partitions: this.partitions.partitions(),
      paused,
      watermarkMs: this.engine.watermarkMs,
      openWindows: this.engine.openWindowCount,
      lastFlushAtMs: this.flusher.lastFlushAtMs,
      tooLate: [...this.partitions.tooLateByStream()]
        .map(([streamId, events]) => ({ streamId, events }))
        .sort((a, b) => b.events - a.events),
    };
  }

  private async takeBatch(runtime: PartitionRuntime, batch: ConsumedBatch): Promise<BatchOutcome> {
    if (runtime.paused || this.partitions.stopped) return { commitOffset: null, deferred: true };
    const first = batch.messages[0];
    if (!first) return { commitOffset: null, deferred: false };
    runtime.firstFetchedOffset ??= BigInt(first.offset);
    const firstFetched = runtime.firstFetchedOffset;
    try {
      if (runtime.epoch === null) {
        // A flush of the discarded state may still be writing: let it land
        // before the state is claimed again, so its checkpoint cannot follow ours.
        if (runtime.flushing) await runtime.flushing;
        await this.restore(runtime);
      }
    } catch (error) {
      this.partitions.fail(runtime, 'restoring state', error);
      return { commitOffset: null, deferred: true };
    }

    // Never leave a gap: a batch that starts past the next offset this
    // partition's state needs (e.g. fetched before a seek took effect) is
    // refused and the consumer is sent back.
    const expected = runtime.nextOffset ?? runtime.checkpointOffset ?? firstFetched;
    if (BigInt(first.offset) > expected) {
      this.control.seek(runtime.ref.topic, runtime.ref.partition, expected.toString());
      return { commitOffset: null, deferred: true };
    }
    // Offsets already taken (or covered by the checkpoint, i.e. counted before
    // a restart) are skipped.
    const messages = batch.messages.filter((m) => BigInt(m.offset) >= expected);
    const last = batch.messages[batch.messages.length - 1];
    if (messages.length > 0) {
      // False: the archive read failed, or a failed flush discarded the state meanwhile.
      if (!(await this.apply(runtime, { ...batch, messages })))
        return { commitOffset: null, deferred: true };
    }
    if (last && BigInt(last.offset) + 1n > expected) runtime.nextOffset = BigInt(last.offset) + 1n;

    if (this.flusher.due(runtime)) {
      if (runtime.flushing) {
        // One flush in flight per partition. A due flush starts when it lands
        // (startFlush); the batch does not wait for that, since the consumer
        // fetches again only once every batch of a fetch is handled. Past the
        // buffer bound it does wait: the backpressure when a store is slow.
        if (this.partitions.bufferedTotal() < this.config.streaming.maxBufferedEvents) {
          return { commitOffset: runtime.commitCandidate(), deferred: false };
        }
        if (!(await runtime.flushing)) return { commitOffset: null, deferred: true };
      }
      if (runtime.paused || runtime.epoch === null) return { commitOffset: null, deferred: true };
      if (this.flusher.due(runtime)) this.flusher.start(runtime);
    }
    return { commitOffset: runtime.commitCandidate(), deferred: false };
  }

  /**
   * Decode, NLP and the window engine, in memory; outputs wait in the
   * partition's buffer. The one wait: closed windows the batch may reopen,
   * read from the archive before the engine judges it.
   */
  private async apply(runtime: PartitionRuntime, batch: ConsumedBatch): Promise<boolean> {
    const timer = (stage: string) => this.metrics.batchDuration.startTimer({ stage });
    this.metrics.consumerBatchSize.observe(batch.messages.length);

    let stop = timer('decode');
    const { events, rejected, offsets, laneEnds } = decodeBatch(batch, this.clock.now());
    stop();
    if (rejected.length > 0) {
      this.logger.warn(
        `${runtime.key}: ${rejected.length} message(s) dead-lettered, first at offset ${rejected[0]?.offset}: ${rejected[0]?.reason}`,
      );
    }

    stop = timer('nlp');
    const generation = runtime.generation;
    let enriched: EnrichedEvent[];
    try {
      enriched = await this.nlp.enrich(events);
    } catch (error) {
      // Only NLP worker threads fail here (one died): nothing of the batch was taken.
      if (runtime.generation === generation) this.partitions.fail(runtime, 'NLP', error);
      return false;
    } finally {
      stop();
    }
    if (runtime.generation !== generation) return false;

    const inputs = enriched.map(toEngineInput);
    const lookups = this.engine.archiveLookups(runtime.key, inputs);
    let archived = NOTHING_ARCHIVED;
    if (lookups.length > 0) {
      stop = timer('archive');
      try {
        archived = await this.archive.read(runtime.ref, lookups);
      } catch (error) {
        // Nothing of the batch was taken: the partition is re-read from its checkpoint.
        if (runtime.generation === generation)
          this.partitions.fail(runtime, 'reading closed windows', error);
        return false;
      } finally {
        stop();
      }
      if (runtime.generation !== generation) return false;
    }
    stop = timer('windows');
    const reopenedBefore = this.engine.reopenedWindowCount;
    const outcome = ingestAcrossLaneEnds(this.engine, runtime.key, inputs, laneEnds, archived);
    // The engine hands back the very input objects: map them to their events by identity.
    const indexOf = new Map(inputs.map((input, i) => [input, i]));
    const indexIn = (input: EngineInput) => indexOf.get(input) ?? -1;
    const eventOf = (input: EngineInput) => enriched[indexIn(input)];
    const posts = [...outcome.applied, ...outcome.tooLate].flatMap((input) => {
      const found = eventOf(input);
      return found ? [toPostRecord(found)] : [];
    });
    const late = toLateEvents(batch, outcome, eventOf, (input) => offsets[indexIn(input)] ?? '', {
      allowedLatenessMs: this.config.streaming.allowedLatenessMs,
    });
    runtime.outputs.add(posts, late, rejected);
    if (runtime.trends) {
      const { applied, appliedWatermarksMs, appliedClosedThroughMs } = outcome;
      for (let i = 0; i < applied.length; i++) {
        const input = applied[i];
        if (input)
          runtime.trends.count(
            input,
            appliedWatermarksMs[i] ?? Number.NEGATIVE_INFINITY,
            appliedClosedThroughMs[i] ?? Number.NEGATIVE_INFINITY,
          );
      }
    }
    stop();

    tallyBatch(
      runtime.tallies,
      this.metrics,
      (input) => eventOf(input)?.event.streamId ?? UNKNOWN_STREAM,
      outcome,
      rejected,
    );
    recordConsumption(this.metrics, enriched, outcome.duplicates.length, rejected);
    if (outcome.tooLate.length > 0) this.metrics.eventsLate.inc(outcome.tooLate.length);
    const reopened = this.engine.reopenedWindowCount - reopenedBefore;
    if (reopened > 0) this.metrics.windowsReopened.inc(reopened);
    return true;
  }

  /** Rebuilds a partition's engine state from its checkpoint, taking ownership of it. */
  private async restore(runtime: PartitionRuntime): Promise<void> {
    const claimed = await this.checkpoints.claim(runtime.ref, this.owner);
    this.engine.restorePartition(runtime.key, claimed.state);
    runtime.restored(claimed.epoch, claimed.nextOffset, this.clock.now());
    for (const [streamId, outcomes] of claimed.tallies) runtime.tallies.restore(streamId, outcomes);
    runtime.trends?.restore(claimed.trends);
    this.logger.log(
      `${runtime.key}: state restored (epoch ${claimed.epoch}, ${claimed.items} item(s), ` +
        `covers offsets before ${claimed.nextOffset ?? 'none'})`,
    );
  }

  /** Periodic: advances the watermark (idle partitions, due windows) and flushes quiet partitions. */
  private tick(): void {
    if (this.partitions.stopped) return;
    this.engine.tick();
    this.metrics.watermark.set((this.engine.watermarkMs ?? 0) / 1000);
    this.metrics.windowsOpen.set(this.engine.openWindowCount);
    this.metrics.dedupeFullnames.set(this.engine.seenCount);
    let terms = 0;
    let active = 0;
    let dormant = 0;
    for (const runtime of this.partitions.all) {
      if (!runtime.trends) continue;
      terms += runtime.trends.trackedTerms;
      const scopes = runtime.trends.scopeCounts;
      active += scopes.active;
      dormant += scopes.dormant;
    }
    this.metrics.trendTermsTracked.set(terms);
    this.metrics.trendScopes.set({ state: 'active' }, active);
    this.metrics.trendScopes.set({ state: 'dormant' }, dormant);
    for (const runtime of this.partitions.all) this.flusher.flushWhenReady(runtime);
  }
}
