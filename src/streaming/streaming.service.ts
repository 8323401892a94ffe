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
import { parseRedditEvent, type RedditEvent } from '@app/ingest/domain/reddit-event';
import { MetricsService } from '@app/metrics/metrics.service';
import { type EnrichedEvent, NlpService } from '@app/nlp/nlp.service';
import {
  PostStore,
  StateFencedError,
  StreamingStateStore,
  Warehouse,
  WindowStore,
} from '@app/storage/ports';
import { type PartitionRef, type PostRecord } from '@app/storage/records';
import {
  type CheckpointDelta,
  type EngineInput,
  mergeCheckpointDeltas,
  parseWindowSpec,
  WindowEngine,
} from './domain/engine';
import {
  seenItem,
  seenItemKey,
  toEngineInput,
  toPartitionState,
  toPostRecord,
  toWindowRecord,
  windowItem,
} from './mapping';
import {
  DeadLetterSink,
  type DeadLetter,
  type LateEvent,
  LateEventSink,
  WindowPublisher,
} from './outputs';
import { type ConsumedBatch } from './transport/consumed-batch';
import { type Assignment, ConsumerControl } from './transport/consumer-control';

/** What the transport does after a batch: commit up to `commitOffset`, or leave it for a retry. */
export interface BatchOutcome {
  /** Next offset covered by durable state and outputs (null: nothing new to commit). */
  readonly commitOffset: string | null;
  /** The batch was not taken (the partition is paused and will be re-read from its checkpoint). */
  readonly deferred: boolean;
}

export interface PausedPartition {
  readonly topic: string;
  readonly partition: number;
  readonly reason: string;
  readonly sinceMs: number;
  readonly retryAtMs: number;
}

export interface StreamingStatus {
  readonly state: 'running' | 'paused' | 'stopped';
  readonly partitions: number[];
  readonly paused: PausedPartition[];
  readonly watermarkMs: number | null;
  readonly openWindows: number;
  readonly lastFlushAtMs: number | null;
}

/** One consumed partition's progress and not-yet-flushed outputs. */
interface PartitionRuntime {
  readonly ref: PartitionRef;
  readonly key: string;
  /** Fencing epoch from the claim; null until the state is restored. */
  epoch: number | null;
  /** First offset the durable checkpoint does not cover. */
  checkpointOffset: bigint | null;
  /** Where to re-read from if the partition must be rebuilt before any checkpoint. */
  firstFetchedOffset: bigint | null;
  /** First offset not yet taken into memory. */
  nextOffset: bigint | null;
  posts: PostRecord[];
  late: LateEvent[];
  deadLetters: DeadLetter[];
  lastFlushMs: number;
  lastCommittedOffset: bigint | null;
  failures: number;
  paused: PausedPartition | null;
  resumeTimer: NodeJS.Timeout | null;
  /** Serialises batches, the start of flushes, and resets of this partition. */
  lock: Promise<unknown>;
  /** The flush in flight (at most one per partition); resolves to whether it succeeded. */
  flushing: Promise<boolean> | null;
  /** Events the flush in flight holds; they count against the buffer bound until it lands. */
  inFlight: number;
  /** Bumped whenever the in-memory state is discarded: a flush of an older generation changes nothing. */
  generation: number;
  /** Version (updatedAtMs) of the last window rows written: versions only go up. */
  lastVersionMs: number;
  /** When the last checkpoint was saved (or the state restored). */
  lastCheckpointMs: number;
  /** What flushes since the last checkpoint changed, for the next one to save. */
  pendingCheckpoint: CheckpointDelta | null;
}

const MAX_TICK_MS = 200;

/** Events taken from Kafka and waiting for the partition's next flush. */
const waitingIn = (runtime: PartitionRuntime): number =>
  runtime.posts.length + runtime.late.length + runtime.deadLetters.length;

/** Events held in memory for the partition: waiting for a flush, or in the flush in flight. */
const bufferedIn = (runtime: PartitionRuntime): number => waitingIn(runtime) + runtime.inFlight;

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
  private readonly runtimes = new Map<string, PartitionRuntime>();
  private readonly owner = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  private ticker: NodeJS.Timeout | null = null;
  private lastFlushAtMs: number | null = null;
  private stopped = false;
  /** Between a rebalance starting and the new assignment: no commits from the timer. */
  private rebalancing = false;

  constructor(
    private readonly config: AppConfig,
    private readonly nlp: NlpService,
    private readonly posts: PostStore,
    private readonly windowStore: WindowStore,
    private readonly warehouse: Warehouse,
    private readonly state: StreamingStateStore,
    private readonly deadLetterSink: DeadLetterSink,
    private readonly lateSink: LateEventSink,
    private readonly windowPublisher: WindowPublisher,
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
      clock,
    });
  }

  onModuleInit(): void {
    this.control.onRebalancing(() => this.resetAll('group rebalancing'));
    this.control.onAssigned((assignment) => this.assigned(assignment));
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
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    for (const runtime of this.runtimes.values()) {
      if (runtime.resumeTimer) clearTimeout(runtime.resumeTimer);
      runtime.resumeTimer = null;
    }
    const finalFlushes = Promise.allSettled(
      [...this.runtimes.values()].map((runtime) =>
        this.locked(runtime, async () => {
          if (runtime.flushing) await runtime.flushing;
          if (runtime.epoch !== null && !runtime.paused) await this.flush(runtime, true);
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
    const runtime = this.runtimeOf(batch.topic, batch.partition);
    return this.locked(runtime, () => this.takeBatch(runtime, batch));
  }

  status(): StreamingStatus {
    const paused = [...this.runtimes.values()]
      .map((r) => r.paused)
      .filter((p): p is PausedPartition => p !== null);
    return {
      state: this.stopped ? 'stopped' : paused.length > 0 ? 'paused' : 'running',
      partitions: [...this.runtimes.values()].map((r) => r.ref.partition).sort((a, b) => a - b),
      paused,
      watermarkMs: this.engine.watermarkMs,
      openWindows: this.engine.openWindowCount,
      lastFlushAtMs: this.lastFlushAtMs,
    };
  }

  private async takeBatch(runtime: PartitionRuntime, batch: ConsumedBatch): Promise<BatchOutcome> {
    if (runtime.paused || this.stopped) return { commitOffset: null, deferred: true };
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
      this.fail(runtime, 'restoring state', error);
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
    if (messages.length > 0) this.apply(runtime, { ...batch, messages });
    if (last && BigInt(last.offset) + 1n > expected) runtime.nextOffset = BigInt(last.offset) + 1n;

    if (this.flushDue(runtime)) {
      if (runtime.flushing) {
        // One flush in flight per partition. A due flush starts when it lands
        // (startFlush); the batch does not wait for that, since the consumer
        // fetches again only once every batch of a fetch is handled. Past the
        // buffer bound it does wait: the backpressure when a store is slow.
        if (this.bufferedTotal() < this.config.streaming.maxBufferedEvents) {
          return { commitOffset: this.commitCandidate(runtime), deferred: false };
        }
        if (!(await runtime.flushing)) return { commitOffset: null, deferred: true };
      }
      if (runtime.paused || runtime.epoch === null) return { commitOffset: null, deferred: true };
      if (this.flushDue(runtime)) this.startFlush(runtime);
    }
    return { commitOffset: this.commitCandidate(runtime), deferred: false };
  }

  private apply(runtime: PartitionRuntime, batch: ConsumedBatch): void {
    const timer = (stage: string) => this.metrics.batchDuration.startTimer({ stage });
    this.metrics.consumerBatchSize.observe(batch.messages.length);

    let stop = timer('decode');
    const { events, rejected, offsets } = this.decode(batch);
    stop();

    stop = timer('nlp');
    const enriched = this.nlp.enrichBatch(events);
    stop();

    stop = timer('windows');
    const inputs = enriched.map(toEngineInput);
    const outcome = this.engine.ingest(runtime.key, inputs);
    // The engine hands back the very input objects: map them to their events by identity.
    const indexOf = new Map(inputs.map((input, i) => [input, i]));
    const eventOf = (input: EngineInput) => enriched[indexOf.get(input) ?? -1];
    for (const input of [...outcome.applied, ...outcome.tooLate]) {
      const found = eventOf(input);
      if (found) runtime.posts.push(toPostRecord(found));
    }
    outcome.tooLate.forEach((input, i) => {
      const found = eventOf(input);
      if (!found) return;
      runtime.late.push({
        event: found.event,
        topic: batch.topic,
        partition: batch.partition,
        offset: offsets[indexOf.get(input) ?? -1] ?? '',
        watermarkMs: outcome.tooLateWatermarksMs[i] ?? null,
        allowedLatenessMs: this.config.streaming.allowedLatenessMs,
      });
    });
    runtime.deadLetters.push(...rejected);
    stop();

    this.record(enriched, outcome.duplicates.length, rejected);
    if (outcome.tooLate.length > 0) this.metrics.eventsLate.inc(outcome.tooLate.length);
  }

  private flushDue(runtime: PartitionRuntime): boolean {
    const waiting = waitingIn(runtime);
    // Bounded over all partitions, so memory does not grow with the number assigned.
    if (waiting > 0 && this.bufferedTotal() >= this.config.streaming.maxBufferedEvents) return true;
    const now = this.clock.now();
    const { windowFlushIntervalMs, checkpointIntervalMs } = this.config.streaming;
    const outputsDue =
      (waiting > 0 || this.engine.hasPending(runtime.key)) &&
      now - runtime.lastFlushMs >= windowFlushIntervalMs;
    const checkpointDue =
      (runtime.pendingCheckpoint !== null ||
        (runtime.nextOffset !== null && runtime.nextOffset !== runtime.checkpointOffset)) &&
      now - runtime.lastCheckpointMs >= checkpointIntervalMs;
    return outputsDue || checkpointDue;
  }

  /**
   * Writes everything the partition holds since its last flush, then, when
   * the checkpoint interval has passed (or `checkpoint` says so), its
   * checkpoint. Returns false (after pausing the partition for a retry) when
   * any step failed; the in-memory state is then discarded and rebuilt.
   *
   * Outputs may run ahead of the checkpoint: after a crash the partition is
   * re-read from its checkpoint, and since every decision depends only on the
   * partition's messages, the replay rewrites the same rows (newer versions
   * of the same counts) before it goes further.
   */
  private async flush(runtime: PartitionRuntime, checkpoint = false): Promise<boolean> {
    if (runtime.epoch === null || runtime.nextOffset === null) return true;
    const generation = runtime.generation;
    const epoch = runtime.epoch;
    const nextOffset = runtime.nextOffset;
    // The intervals run from flush start to flush start, so a slow flush does not stretch them.
    const startedMs = this.clock.now();
    runtime.lastFlushMs = startedMs;
    const checkpointNow =
      checkpoint ||
      startedMs - runtime.lastCheckpointMs >= this.config.streaming.checkpointIntervalMs;
    const timer = (stage: string) => this.metrics.batchDuration.startTimer({ stage });
    const drained = this.engine.drain(runtime.key);
    const version = Math.max(this.clock.now(), runtime.lastVersionMs + 1);
    runtime.lastVersionMs = version;
    const windows = drained.emissions.map((r) => toWindowRecord(r, version));
    const { posts, late, deadLetters } = runtime;
    runtime.posts = [];
    runtime.late = [];
    runtime.deadLetters = [];
    runtime.inFlight = posts.length + late.length + deadLetters.length;
    try {
      let stop = timer('outputs');
      const timed = async (output: string, write: () => Promise<void>) => {
        const end = this.metrics.outputDuration.startTimer({ output });
        await write();
        end();
      };
      // Window rows first, and alone: they are small and what dashboards wait
      // for, while encoding the posts holds the event loop for a while. The
      // rest goes out once the window rows have landed.
      const windowOutputs = Promise.all([
        windows.length > 0 &&
          timed('cassandra_windows', () => this.windowStore.upsertWindows(windows)),
        windows.length > 0 && timed('kafka_windows', () => this.windowPublisher.publish(windows)),
        windows.length > 0 && timed('warehouse_windows', () => this.warehouse.loadWindows(windows)),
      ]);
      const otherOutputs = windowOutputs.then(() =>
        Promise.all([
          posts.length > 0 && timed('cassandra_posts', () => this.posts.upsertPosts(posts)),
          posts.length > 0 && timed('warehouse_posts', () => this.warehouse.loadPosts(posts)),
          late.length > 0 && timed('kafka_late', () => this.lateSink.send(late)),
          deadLetters.length > 0 &&
            timed('kafka_dead_letter', () => this.deadLetterSink.send(deadLetters)),
        ]),
      );
      await Promise.all([windowOutputs, otherOutputs]);
      stop();

      if (runtime.generation !== generation) return false;
      const delta = runtime.pendingCheckpoint
        ? mergeCheckpointDeltas(runtime.pendingCheckpoint, drained.checkpoint)
        : drained.checkpoint;
      if (!checkpointNow) {
        runtime.pendingCheckpoint = delta;
      } else {
        stop = timer('checkpoint');
        await this.state.save(runtime.ref, {
          epoch,
          nextOffset: nextOffset.toString(),
          maxEventTimeMs: delta.maxEventTimeMs,
          upserts: [...delta.upsertWindows.map(windowItem), ...delta.appendSeen.map(seenItem)],
          deletes: [
            ...delta.deleteWindows.map((key) => ({ kind: 'window' as const, key })),
            ...delta.deleteSeen.map(seenItemKey),
          ],
        });
        stop();
        if (runtime.generation === generation) {
          runtime.pendingCheckpoint = null;
          runtime.checkpointOffset = nextOffset;
          runtime.lastCheckpointMs = startedMs;
        }
      }
    } catch (error) {
      // A partition reset meanwhile (rebalance) has already dropped this state.
      if (runtime.generation === generation) this.fail(runtime, 'flushing', error);
      return false;
    } finally {
      runtime.inFlight = 0;
    }
    if (runtime.generation !== generation) return false;

    runtime.failures = 0;
    this.lastFlushAtMs = this.clock.now();
    this.metrics.flushes.inc({ outcome: 'ok' });
    this.recordWrites(posts.length, windows.length);
    return true;
  }

  /**
   * Starts a flush without waiting for it (call it holding the partition's
   * lock, with no flush in flight): the state is handed over at once, so the
   * partition goes on consuming while the outputs and checkpoint are written.
   * Once the flush has landed, the offsets it covers are committed.
   */
  private startFlush(runtime: PartitionRuntime): void {
    const flight = this.flush(runtime);
    runtime.flushing = flight;
    void flight.then((ok) => {
      if (runtime.flushing === flight) runtime.flushing = null;
      if (!ok || this.rebalancing || this.stopped) return;
      const commit = this.commitCandidate(runtime);
      if (commit) void this.control.commit(runtime.ref.topic, runtime.ref.partition, commit);
      // A flush that fell due meanwhile goes out now rather than at the next batch or tick.
      this.flushWhenReady(runtime);
    });
  }

  /**
   * Starts the partition's flush if it is due and none is in flight, taking
   * the partition's lock for it. The commit follows the flush, outside the
   * lock: a commit can wait for a rebalance, and the rebalance waits for the
   * partition's batch, which waits for the lock.
   */
  private flushWhenReady(runtime: PartitionRuntime): void {
    if (!this.readyToFlush(runtime)) return;
    void this.locked(runtime, () => {
      if (this.readyToFlush(runtime)) this.startFlush(runtime);
      return Promise.resolve();
    });
  }

  private readyToFlush(runtime: PartitionRuntime): boolean {
    return !runtime.paused && runtime.epoch !== null && !runtime.flushing && this.flushDue(runtime);
  }

  /** Rebuilds a partition's engine state from its checkpoint, taking ownership of it. */
  private async restore(runtime: PartitionRuntime): Promise<void> {
    const checkpoint = await this.state.claim(runtime.ref, this.owner);
    this.engine.restorePartition(
      runtime.key,
      toPartitionState(checkpoint.maxEventTimeMs, checkpoint.items),
    );
    runtime.epoch = checkpoint.epoch;
    runtime.checkpointOffset =
      checkpoint.nextOffset === null ? null : BigInt(checkpoint.nextOffset);
    runtime.lastFlushMs = this.clock.now();
    runtime.lastCheckpointMs = runtime.lastFlushMs;
    runtime.pendingCheckpoint = null;
    this.logger.log(
      `${runtime.key}: state restored (epoch ${checkpoint.epoch}, ${checkpoint.items.length} item(s), ` +
        `covers offsets before ${checkpoint.nextOffset ?? 'none'})`,
    );
  }

  /**
   * A failed restore or flush: forget the partition's in-memory state, pause
   * it, and after a backoff seek it back to its checkpoint and resume.
   */
  private fail(runtime: PartitionRuntime, doing: string, error: unknown): void {
    const fenced = error instanceof StateFencedError;
    const message = error instanceof Error ? error.message : String(error);
    this.metrics.flushes.inc({ outcome: fenced ? 'fenced' : 'failed' });
    this.discard(runtime);
    if (this.stopped) {
      this.logger.warn(
        `${runtime.key}: ${doing} failed while stopping (${message}); the next owner re-reads from the checkpoint`,
      );
      return;
    }
    runtime.failures++;
    const backoff = Math.min(
      this.config.streaming.retryMaxBackoffMs,
      250 * 2 ** Math.min(runtime.failures - 1, 10),
    );
    const now = this.clock.now();
    runtime.paused = {
      topic: runtime.ref.topic,
      partition: runtime.ref.partition,
      reason: `${doing} failed: ${message}`,
      sinceMs: runtime.paused?.sinceMs ?? now,
      retryAtMs: now + backoff,
    };
    this.metrics.partitionsPaused.set(this.pausedCount());
    this.logger.warn(
      `${runtime.key}: ${doing} failed (${message}); paused, re-reading from the checkpoint in ${backoff} ms`,
    );
    this.control.pause(runtime.ref.topic, runtime.ref.partition);
    if (runtime.resumeTimer) clearTimeout(runtime.resumeTimer);
    runtime.resumeTimer = setTimeout(() => {
      runtime.resumeTimer = null;
      void this.locked(runtime, () => {
        if (this.stopped || !this.runtimes.has(runtime.key)) return Promise.resolve();
        const from = runtime.checkpointOffset ?? runtime.firstFetchedOffset;
        if (from !== null)
          this.control.seek(runtime.ref.topic, runtime.ref.partition, from.toString());
        runtime.paused = null;
        this.metrics.partitionsPaused.set(this.pausedCount());
        this.control.resume(runtime.ref.topic, runtime.ref.partition);
        return Promise.resolve();
      });
    }, backoff);
    runtime.resumeTimer.unref();
  }

  /** Drops the partition's in-memory state; the next batch restores it from the checkpoint. */
  private discard(runtime: PartitionRuntime, stillOwned = true): void {
    runtime.generation++;
    this.engine.dropPartition(runtime.key);
    // Until it is restored, the partition must still hold the watermark back.
    if (stillOwned) this.engine.registerPartition(runtime.key);
    runtime.epoch = null;
    runtime.nextOffset = null;
    runtime.pendingCheckpoint = null;
    runtime.posts = [];
    runtime.late = [];
    runtime.deadLetters = [];
  }

  /** Periodic: advances the watermark (idle partitions, due windows) and flushes quiet partitions. */
  private tick(): void {
    if (this.stopped) return;
    this.engine.tick();
    this.metrics.watermark.set((this.engine.watermarkMs ?? 0) / 1000);
    this.metrics.windowsOpen.set(this.engine.openWindowCount);
    for (const runtime of this.runtimes.values()) this.flushWhenReady(runtime);
  }

  private bufferedTotal(): number {
    let total = 0;
    for (const runtime of this.runtimes.values()) total += bufferedIn(runtime);
    return total;
  }

  /** The checkpointed offset, if it has not been committed to Kafka yet. */
  private commitCandidate(runtime: PartitionRuntime): string | null {
    const offset = runtime.checkpointOffset;
    if (offset === null || offset === runtime.lastCommittedOffset) return null;
    runtime.lastCommittedOffset = offset;
    return offset.toString();
  }

  private assigned(assignment: Assignment): void {
    this.rebalancing = false;
    const owned = new Set<string>();
    for (const [topic, partitions] of assignment) {
      for (const partition of partitions) owned.add(`${topic}/${partition}`);
    }
    for (const runtime of this.runtimes.values()) {
      void this.locked(runtime, () => {
        if (runtime.resumeTimer) clearTimeout(runtime.resumeTimer);
        runtime.resumeTimer = null;
        const stillOwned = owned.has(runtime.key);
        this.discard(runtime, stillOwned);
        if (!stillOwned) this.runtimes.delete(runtime.key);
        else this.resetRuntime(runtime);
        return Promise.resolve();
      });
    }
    for (const key of owned) {
      if (this.runtimes.has(key)) continue;
      const [topic, partition] = [
        key.slice(0, key.lastIndexOf('/')),
        key.slice(key.lastIndexOf('/') + 1),
      ];
      this.runtimeOf(topic, Number(partition));
      this.engine.registerPartition(key);
    }
    this.metrics.partitionsPaused.set(0);
    this.logger.log(`assigned ${[...owned].sort().join(', ') || 'no partitions'}`);
  }

  /**
   * On a rebalance every partition is rebuilt from its checkpoint: Kafka
   * re-delivers from the committed offset, and the new owner of a moved
   * partition starts from the same checkpoint.
   */
  private resetAll(reason: string): void {
    this.rebalancing = true;
    for (const runtime of this.runtimes.values()) {
      void this.locked(runtime, () => {
        this.discard(runtime);
        this.resetRuntime(runtime);
        return Promise.resolve();
      });
    }
    this.logger.log(`${reason}: partition state will be restored from checkpoints`);
  }

  private resetRuntime(runtime: PartitionRuntime): void {
    // A partition paused after a failure would otherwise stay paused in the consumer.
    if (runtime.paused) this.control.resume(runtime.ref.topic, runtime.ref.partition);
    if (runtime.resumeTimer) clearTimeout(runtime.resumeTimer);
    runtime.resumeTimer = null;
    runtime.checkpointOffset = null;
    runtime.firstFetchedOffset = null;
    runtime.lastCommittedOffset = null;
    runtime.paused = null;
    runtime.failures = 0;
  }

  private pausedCount(): number {
    let n = 0;
    for (const runtime of this.runtimes.values()) if (runtime.paused) n++;
    return n;
  }

  private runtimeOf(topic: string, partition: number): PartitionRuntime {
    const key = `${topic}/${partition}`;
    let runtime = this.runtimes.get(key);
    if (!runtime) {
      runtime = {
        ref: { group: this.config.kafka.consumerGroup, topic, partition },
        key,
        epoch: null,
        checkpointOffset: null,
        firstFetchedOffset: null,
        nextOffset: null,
        posts: [],
        late: [],
        deadLetters: [],
        lastFlushMs: this.clock.now(),
        lastCheckpointMs: this.clock.now(),
        pendingCheckpoint: null,
        lastCommittedOffset: null,
        failures: 0,
        paused: null,
        resumeTimer: null,
        lock: Promise.resolve(),
        flushing: null,
        inFlight: 0,
        generation: 0,
        lastVersionMs: 0,
      };
      this.runtimes.set(key, runtime);
    }
    return runtime;
  }

  private locked<T>(runtime: PartitionRuntime, work: () => Promise<T>): Promise<T> {
    const run = runtime.lock.then(work, work);
    runtime.lock = run.catch(() => undefined);
    return run;
  }

  private decode(batch: ConsumedBatch): {
    events: RedditEvent[];
    offsets: string[];
    rejected: DeadLetter[];
  } {
    const events: RedditEvent[] = [];
    const offsets: string[] = [];
    const rejected: DeadLetter[] = [];
    for (const message of batch.messages) {
      const text = message.value?.toString('utf8') ?? null;
      const reject = (reason: string) =>
        rejected.push({
          reason,
          topic: batch.topic,
          partition: batch.partition,
          offset: message.offset,
          key: message.key,
          value: text,
          failedAtMs: this.clock.now(),
        });
      if (text === null) {
        reject('empty message value');
        continue;
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        reject(`invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      const parsed = parseRedditEvent(json);
      if (parsed.ok) {
        events.push(parsed.value);
        offsets.push(message.offset);
      } else reject(`invalid event: ${parsed.reason}`);
    }
    if (rejected.length > 0) {
      this.logger.warn(
        `${batch.topic}/${batch.partition}: ${rejected.length} message(s) dead-lettered, first at offset ${rejected[0]?.offset}: ${rejected[0]?.reason}`,
      );
    }
    return { events, offsets, rejected };
  }

  private record(
    enriched: readonly EnrichedEvent[],
    duplicates: number,
    rejected: readonly DeadLetter[],
  ): void {
    let submissions = 0;
    for (const { event, sentiment } of enriched) {
      if (event.kind === 'submission') submissions++;
      if (sentiment)
        this.metrics.eventSentiment.observe({ subreddit: event.subreddit }, sentiment.score);
    }
    this.metrics.recordConsumed('submission', submissions);
    this.metrics.recordConsumed('comment', enriched.length - submissions);
    if (duplicates > 0) this.metrics.eventsDuplicate.inc(duplicates);
    for (const letter of rejected) {
      this.metrics.eventsDeadLettered.inc({
        reason: letter.reason.startsWith('invalid JSON') ? 'invalid_json' : 'invalid_event',
      });
    }
  }

  private recordWrites(posts: number, windows: number): void {
    if (posts > 0) {
      this.metrics.postsWritten.inc({ store: 'cassandra' }, posts);
      this.metrics.postsWritten.inc({ store: 'warehouse' }, posts);
    }
    if (windows > 0) {
      this.metrics.windowsWritten.inc({ store: 'cassandra' }, windows);
      this.metrics.windowsWritten.inc({ store: 'warehouse' }, windows);
      this.metrics.windowsWritten.inc({ store: 'kafka' }, windows);
    }
  }
}
