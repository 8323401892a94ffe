import { type Clock } from '@app/common/clock';
import { type StreamingConfig } from '@app/config';
import { type ConsumerControl } from '@app/kafka/consumer/consumer-control';
import { type MetricsService } from '@app/metrics/metrics.service';
import { type Checkpointer } from './checkpointer';
import { LIVE_LANE, mergeCheckpointDeltas, type WindowEngine } from './domain/engine';
import { type MinuteContribution, type MinutesReport, splitReport } from '@app/trends/domain';
import { toTrendRecord, toWindowRecord } from './mapping';
import { NO_POSTS, type OutputWriter } from './output-writer';
import { type PartitionLifecycle } from './partition/partition-lifecycle';
import { type PartitionRuntime } from './partition/partition-runtime';

export interface FlusherOptions {
  readonly engine: WindowEngine;
  readonly partitions: PartitionLifecycle;
  readonly writer: OutputWriter;
  readonly checkpoints: Checkpointer;
  readonly control: ConsumerControl;
  readonly metrics: MetricsService;
  readonly clock: Clock;
  readonly config: StreamingConfig;
}

/**
 * When and how a partition's buffered work becomes durable: a flush drains
 * the engine's changed windows and the buffered posts, late events and dead
 * letters, writes them all, then (every checkpoint interval) saves the
 * checkpoint, and only after that lets the covered offsets be committed.
 * At most one flush per partition is in flight, and it runs while the
 * partition goes on consuming.
 */
export class Flusher {
  /** When the last flush landed, on any partition. */
  lastFlushAtMs: number | null = null;

  constructor(private readonly options: FlusherOptions) {}

  /** Whether the partition has outputs or a checkpoint due (or the buffer bound is reached). */
  due(runtime: PartitionRuntime): boolean {
    const waiting = runtime.outputs.waiting;
    // Bounded over all partitions, so memory does not grow with the number assigned.
    const { maxBufferedEvents, windowFlushIntervalMs, checkpointIntervalMs } = this.options.config;
    if (waiting > 0 && this.options.partitions.bufferedTotal() >= maxBufferedEvents) return true;
    const now = this.options.clock.now();
    const outputsDue =
      (waiting > 0 || this.options.engine.hasPending(runtime.key)) &&
      now - runtime.lastFlushMs >= windowFlushIntervalMs;
    const checkpointDue =
      (runtime.pendingCheckpoint !== null ||
        (runtime.nextOffset !== null && runtime.nextOffset !== runtime.checkpointOffset)) &&
      now - runtime.lastCheckpointMs >= checkpointIntervalMs;
    return outputsDue || checkpointDue || this.idleReportDue(runtime);
  }

  /**
   * The all-subreddits scope waits for every partition with live data; one
   * whose live lane went idle says so (in a flush of its own if need be),
   * or the scope would wait for it until it counts as silent.
   */
  private idleReportDue(runtime: PartitionRuntime): boolean {
    const { engine } = this.options;
    return (
      runtime.trends !== null &&
      !runtime.reportedIdle &&
      Number.isFinite(engine.laneWatermark(runtime.key, LIVE_LANE)) &&
      engine.isLiveIdle(runtime.key)
    );
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
  async flush(runtime: PartitionRuntime, checkpoint = false): Promise<boolean> {
    if (runtime.epoch === null || runtime.nextOffset === null) return true;
    const { generation, epoch, nextOffset } = runtime;
    // The intervals run from flush start to flush start, so a slow flush does not stretch them.
    const startedMs = this.options.clock.now();
    runtime.lastFlushMs = startedMs;
    const checkpointNow =
      checkpoint ||
      startedMs - runtime.lastCheckpointMs >= this.options.config.checkpointIntervalMs;
    const { engine, metrics } = this.options;
    const drained = engine.drain(runtime.key);
    // Judged with the drain, and checkpointed with it: the minutes the
    // watermark has passed, whose counts can no longer change.
    const trends = runtime.trends;
    const judged = trends?.judge(
      (lane) => engine.laneWatermark(runtime.key, lane),
      (lane) => engine.laneClosedThrough(runtime.key, lane),
    );
    const findings = judged?.findings ?? [];
    const idle = engine.isLiveIdle(runtime.key);
    const reports = judged ? reportOf(runtime.key, judged.contributions, engine, idle) : [];
    const trendState = checkpointNow ? (trends?.takeCheckpoint() ?? null) : null;
    // Taken now, with the state they match: batches taken while this flush
    // writes belong to the next checkpoint.
    const tallies = checkpointNow ? runtime.tallies.takeChanged() : [];
    const version = runtime.nextVersion();
    const computedMs = this.options.clock.now();
    const windows = drained.emissions.map((r) => toWindowRecord(r, computedMs, version));
    const trendRows = findings.map((f) => toTrendRecord(f, startedMs));
    const outputs = runtime.outputs.take();
    let postsWritten = NO_POSTS;
    try {
      postsWritten = await this.options.writer.write(windows, outputs, trendRows, reports);
      if (runtime.generation !== generation) return false;
      const delta = runtime.pendingCheckpoint
        ? mergeCheckpointDeltas(runtime.pendingCheckpoint, drained.checkpoint)
        : drained.checkpoint;
      if (!checkpointNow) {
        runtime.pendingCheckpoint = delta;
      } else {
        const stop = this.options.metrics.batchDuration.startTimer({ stage: 'checkpoint' });
        await this.options.checkpoints.save(
          runtime.ref,
          epoch,
          nextOffset,
          delta,
          tallies,
          trendState,
        );
        stop();
        if (runtime.generation === generation) {
          runtime.checkpointed(nextOffset, startedMs);
          // Every drain so far is in this checkpoint, the windows they closed included.
          if (drained.drain !== null) this.options.engine.archived(runtime.key, drained.drain);
        }
      }
    } catch (error) {
      // A partition reset meanwhile (rebalance) has already dropped this state.
      if (runtime.generation === generation)
        this.options.partitions.fail(runtime, 'flushing', error);
      return false;
    } finally {
      runtime.outputs.landed();
    }
    if (runtime.generation !== generation) return false;

    runtime.failures = 0;
    if (reports.length > 0) runtime.reportedIdle = idle;
    this.lastFlushAtMs = this.options.clock.now();
    metrics.flushes.inc({ outcome: 'ok' });
    this.options.writer.recordWritten(postsWritten, windows.length, trendRows.length);
    for (const finding of findings) metrics.trendsFound.inc({ kind: finding.kind });
    if (judged && judged.minutes > 0) metrics.trendMinutesJudged.inc(judged.minutes);
    return true;
  }

  /**
   * Starts a flush without waiting for it (call it holding the partition's
   * lock, with no flush in flight): the state is handed over at once, so the
   * partition goes on consuming while the outputs and checkpoint are written.
   * Once the flush has landed, the offsets it covers are committed.
   */
  start(runtime: PartitionRuntime): void {
    const flight = this.flush(runtime);
    runtime.flushing = flight;
    void flight.then((ok) => {
      if (runtime.flushing === flight) runtime.flushing = null;
      if (!ok || this.options.partitions.rebalancing || this.options.partitions.stopped) return;
      const commit = runtime.commitCandidate();
      if (commit)
        void this.options.control.commit(runtime.ref.topic, runtime.ref.partition, commit);
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
  flushWhenReady(runtime: PartitionRuntime): void {
    if (!this.readyToFlush(runtime)) return;
    void runtime.locked(() => {
      if (this.readyToFlush(runtime)) this.start(runtime);
      return Promise.resolve();
    });
  }

  /**
   * Not before the partition has taken a batch since its state was restored
   * (no next offset yet): a flush would have nothing to cover, would return
   * at once without resetting its interval, and would be due again at once.
   */
  private readyToFlush(runtime: PartitionRuntime): boolean {
    return (
      !runtime.paused &&
      runtime.epoch !== null &&
      runtime.nextOffset !== null &&
      !runtime.flushing &&
      this.due(runtime)
    );
  }
}

/**
 * The flush's report to the all-subreddits scope: the live minutes it
 * judged, how far the partition's live lane has got, so the scope knows
 * when a minute is complete, and whether that lane is idle. None while the
 * partition has had no live data; in parts when it is large.
 */
function reportOf(
  source: string,
  minutes: readonly MinuteContribution[],
  engine: WindowEngine,
  idle: boolean,
): MinutesReport[] {
  const watermark = engine.laneWatermark(source, LIVE_LANE);
  if (watermark === Number.NEGATIVE_INFINITY) return [];
  return splitReport({
    source,
    watermarkMs: watermark === Number.POSITIVE_INFINITY ? null : watermark,
    ...(idle ? { idle: true } : {}),
    minutes,
  });
}
