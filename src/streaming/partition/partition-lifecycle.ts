import { Logger } from '@nestjs/common';
import { type Clock } from '@app/common/clock';
import { type Assignment, type ConsumerControl } from '@app/kafka/consumer/consumer-control';
import { type MetricsService } from '@app/metrics/metrics.service';
import { CheckpointFencedError } from '@app/storage/ports';
import { type PartitionTrends } from '@app/trends/domain';
import { type WindowEngine } from '../domain/engine';
import { type PausedPartition, PartitionRuntime } from './partition-runtime';

export interface PartitionLifecycleOptions {
  readonly engine: WindowEngine;
  readonly control: ConsumerControl;
  readonly metrics: MetricsService;
  readonly clock: Clock;
  readonly consumerGroup: string;
  /** The topic whose partitions these are (the group's assignment may hold others). */
  readonly topic: string;
  readonly retryMaxBackoffMs: number;
  /** A partition's trend detection (absent: trends are off). */
  readonly trends?: () => PartitionTrends;
}

/**
 * Which partitions this server holds and what state each is in: created on
 * assignment, rebuilt from the checkpoint after a rebalance, and paused with
 * backoff after a failed restore or flush.
 *
 * Every reset discards the partition's in-memory state (its engine state
 * too) and bumps its generation, so a flush still writing for the old state
 * cannot update anything; the next batch restores from the checkpoint, which
 * is the only state that ever moves between owners.
 */
export class PartitionLifecycle {
  private readonly logger = new Logger(PartitionLifecycle.name);
  private readonly runtimes = new Map<string, PartitionRuntime>();
  /** Between a rebalance starting and the new assignment: no commits from the timer. */
  rebalancing = false;
  /** Set once on shutdown: nothing is resumed or restored any more. */
  stopped = false;

  constructor(private readonly options: PartitionLifecycleOptions) {}

  get all(): IterableIterator<PartitionRuntime> {
    return this.runtimes.values();
  }

  runtimeOf(topic: string, partition: number): PartitionRuntime {
    const key = `${topic}/${partition}`;
    let runtime = this.runtimes.get(key);
    if (!runtime) {
      const ref = { group: this.options.consumerGroup, topic, partition };
      runtime = new PartitionRuntime(
        ref,
        this.options.clock.now(),
        this.options.trends?.() ?? null,
      );
      this.runtimes.set(key, runtime);
    }
    return runtime;
  }

  /** Events held in memory over all partitions, for the buffer bound. */
  bufferedTotal(): number {
    let total = 0;
    for (const runtime of this.runtimes.values()) total += runtime.outputs.buffered;
    return total;
  }

  paused(): PausedPartition[] {
    return [...this.runtimes.values()]
      .map((r) => r.paused)
      .filter((p): p is PausedPartition => p !== null);
  }

  /** Events dropped as too late per stream, over the partitions held here (their checkpointed totals and since). */
  tooLateByStream(): Map<string, number> {
    const totals = new Map<string, number>();
    for (const runtime of this.runtimes.values()) {
      for (const [streamId, outcomes] of runtime.tallies.entries()) {
        if (outcomes.tooLate > 0)
          totals.set(streamId, (totals.get(streamId) ?? 0) + outcomes.tooLate);
      }
    }
    return totals;
  }

  partitions(): number[] {
    return [...this.runtimes.values()].map((r) => r.ref.partition).sort((a, b) => a - b);
  }

  /** Shutdown: no more resumes. */
  stop(): void {
    this.stopped = true;
    for (const runtime of this.runtimes.values()) runtime.clearResumeTimer();
  }

  /** After every group join: keep what is still ours (rebuilt from its checkpoint), drop the rest. */
  assigned(assignment: Assignment): void {
    this.rebalancing = false;
    const owned = new Set<string>();
    for (const partition of assignment.get(this.options.topic) ?? []) {
      owned.add(`${this.options.topic}/${partition}`);
    }
    for (const runtime of this.runtimes.values()) {
      void runtime.locked(() => {
        runtime.clearResumeTimer();
        const stillOwned = owned.has(runtime.key);
        this.discard(runtime, stillOwned);
        if (!stillOwned) this.runtimes.delete(runtime.key);
        else this.resetRuntime(runtime);
        return Promise.resolve();
      });
    }
    for (const key of owned) {
      if (this.runtimes.has(key)) continue;
      const at = key.lastIndexOf('/');
      this.runtimeOf(key.slice(0, at), Number(key.slice(at + 1)));
      this.options.engine.registerPartition(key);
    }
    this.options.metrics.partitionsPaused.set(0);
    this.logger.log(`assigned ${[...owned].sort().join(', ') || 'no partitions'}`);
  }

  /**
   * On a rebalance every partition is rebuilt from its checkpoint: Kafka
   * re-delivers from the committed offset, and the new owner of a moved
   * partition starts from the same checkpoint.
   */
  resetAll(reason: string): void {
    this.rebalancing = true;
    for (const runtime of this.runtimes.values()) {
      void runtime.locked(() => {
        this.discard(runtime);
        this.resetRuntime(runtime);
        return Promise.resolve();
      });
    }
    this.logger.log(`${reason}: partition state will be restored from checkpoints`);
  }

  /**
   * A failed restore or flush: forget the partition's in-memory state, pause
   * it, and after a backoff seek it back to its checkpoint and resume.
   */
  fail(runtime: PartitionRuntime, doing: string, error: unknown): void {
    const { control, metrics, clock } = this.options;
    const fenced = error instanceof CheckpointFencedError;
    const message = error instanceof Error ? error.message : String(error);
    metrics.flushes.inc({ outcome: fenced ? 'fenced' : 'failed' });
    this.discard(runtime);
    if (this.stopped) {
      this.logger.warn(
        `${runtime.key}: ${doing} failed while stopping (${message}); the next owner re-reads from the checkpoint`,
      );
      return;
    }
    runtime.failures++;
    const backoff = Math.min(
      this.options.retryMaxBackoffMs,
      250 * 2 ** Math.min(runtime.failures - 1, 10),
    );
    const now = clock.now();
    const { topic, partition } = runtime.ref;
    runtime.paused = {
      topic,
      partition,
      reason: `${doing} failed: ${message}`,
      sinceMs: runtime.paused?.sinceMs ?? now,
      retryAtMs: now + backoff,
    };
    metrics.partitionsPaused.set(this.paused().length);
    this.logger.warn(
      `${runtime.key}: ${doing} failed (${message}); paused, re-reading from the checkpoint in ${backoff} ms`,
    );
    control.pause(topic, partition);
    runtime.clearResumeTimer();
    runtime.resumeTimer = setTimeout(() => {
      runtime.resumeTimer = null;
      void runtime.locked(() => {
        if (this.stopped || !this.runtimes.has(runtime.key)) return Promise.resolve();
        const from = runtime.checkpointOffset ?? runtime.firstFetchedOffset;
        if (from !== null) control.seek(topic, partition, from.toString());
        runtime.paused = null;
        metrics.partitionsPaused.set(this.paused().length);
        control.resume(topic, partition);
        return Promise.resolve();
      });
    }, backoff);
    runtime.resumeTimer.unref();
  }

  /** Drops the partition's in-memory state; the next batch restores it from the checkpoint. */
  private discard(runtime: PartitionRuntime, stillOwned = true): void {
    runtime.discardState();
    this.options.engine.dropPartition(runtime.key);
    // Until it is restored, the partition must still hold the watermark back.
    if (stillOwned) this.options.engine.registerPartition(runtime.key);
  }

  private resetRuntime(runtime: PartitionRuntime): void {
    // A partition paused after a failure would otherwise stay paused in the consumer.
    if (runtime.paused) this.options.control.resume(runtime.ref.topic, runtime.ref.partition);
    runtime.resetProgress();
  }
}
