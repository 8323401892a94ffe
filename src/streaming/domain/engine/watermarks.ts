import { type Clock } from '@app/common/clock';

/**
 * Event-time watermarks per partition and for the operator.
 *
 * Meaning: a watermark W claims that events still to come have event time >= W;
 * an event with event time < W is late.
 *
 * - Partition watermark = highest event time seen on it - outOfOrdernessMs.
 * - Operator watermark = min over ACTIVE partitions, never moving backwards.
 * - A partition that has received no data for longer than idleTimeoutMs
 *   (processing time, from the injected clock) is idle: it stops holding the
 *   operator watermark back. New data makes it active again; if its events are
 *   behind the operator watermark they are simply late.
 * - With every partition idle the operator watermark holds where it is.
 * - A registered partition that has not delivered data yet counts as active
 *   with no watermark: it holds the operator watermark back until it delivers
 *   or goes idle.
 */

export interface WatermarkOptions {
  readonly outOfOrdernessMs: number;
  readonly idleTimeoutMs: number;
  readonly clock: Clock;
}

export interface PartitionWatermarkState {
  readonly partition: string;
  readonly maxEventTimeMs: number;
  readonly lastActivityMs: number;
}

export interface WatermarkSnapshot {
  /** null while no watermark has been established (JSON has no -Infinity). */
  readonly operatorWatermarkMs: number | null;
  readonly partitions: readonly PartitionWatermarkState[];
}

interface PartitionState {
  maxEventTimeMs: number;
  lastActivityMs: number;
}

export class WatermarkTracker {
  private readonly partitions = new Map<string, PartitionState>();
  private operatorWatermark = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: WatermarkOptions) {
    if (options.outOfOrdernessMs < 0 || options.idleTimeoutMs < 0) {
      throw new RangeError('outOfOrdernessMs and idleTimeoutMs must be >= 0');
    }
  }

  /** Records events received on a partition (marks it active). An empty list changes nothing. */
  observe(partition: string, eventTimesMs: readonly number[]): void {
    if (eventTimesMs.length === 0) return;
    let max = Number.NEGATIVE_INFINITY;
    for (const t of eventTimesMs) if (t > max) max = t;
    const state = this.partitions.get(partition);
    const now = this.options.clock.now();
    if (state) {
      state.maxEventTimeMs = Math.max(state.maxEventTimeMs, max);
      state.lastActivityMs = now;
    } else {
      this.partitions.set(partition, { maxEventTimeMs: max, lastActivityMs: now });
    }
  }

  partitionWatermark(partition: string): number {
    const state = this.partitions.get(partition);
    return state ? state.maxEventTimeMs - this.options.outOfOrdernessMs : Number.NEGATIVE_INFINITY;
  }

  isIdle(partition: string): boolean {
    const state = this.partitions.get(partition);
    if (!state) return true;
    return this.options.clock.now() - state.lastActivityMs > this.options.idleTimeoutMs;
  }

  /** Recomputes and returns the operator watermark (monotonic; -Infinity until established). */
  current(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const partition of this.partitions.keys()) {
      if (this.isIdle(partition)) continue;
      min = Math.min(min, this.partitionWatermark(partition));
    }
    if (min !== Number.POSITIVE_INFINITY && min > this.operatorWatermark) {
      this.operatorWatermark = min;
    }
    return this.operatorWatermark;
  }

  /** Highest event time seen on a partition (null when none). */
  maxEventTime(partition: string): number | null {
    const max = this.partitions.get(partition)?.maxEventTimeMs;
    return max === undefined || !Number.isFinite(max) ? null : max;
  }

  /**
   * Makes a partition known before it has delivered anything (e.g. on
   * assignment): it holds the watermark back until it delivers data or goes
   * idle. Without this, the first partition to deliver a backlog would race
   * the watermark ahead and make the others' backlog late.
   */
  register(partition: string): void {
    if (this.partitions.has(partition)) return;
    this.partitions.set(partition, {
      maxEventTimeMs: Number.NEGATIVE_INFINITY,
      lastActivityMs: this.options.clock.now(),
    });
  }

  /** Re-establishes a partition from a checkpoint; it counts as active from now. */
  restorePartition(partition: string, maxEventTimeMs: number): void {
    this.partitions.set(partition, { maxEventTimeMs, lastActivityMs: this.options.clock.now() });
  }

  /** Forgets partitions this consumer no longer owns; the operator watermark does not go back. */
  remove(partitions: readonly string[]): void {
    for (const p of partitions) this.partitions.delete(p);
  }

  get partitionIds(): string[] {
    return [...this.partitions.keys()];
  }

  snapshot(): WatermarkSnapshot {
    return {
      operatorWatermarkMs: Number.isFinite(this.operatorWatermark) ? this.operatorWatermark : null,
      partitions: [...this.partitions].map(([partition, s]) => ({
        partition,
        maxEventTimeMs: s.maxEventTimeMs,
        lastActivityMs: s.lastActivityMs,
      })),
    };
  }

  restore(snapshot: WatermarkSnapshot): void {
    this.partitions.clear();
    this.operatorWatermark = snapshot.operatorWatermarkMs ?? Number.NEGATIVE_INFINITY;
    for (const p of snapshot.partitions) {
      this.partitions.set(p.partition, {
        maxEventTimeMs: p.maxEventTimeMs,
        lastActivityMs: p.lastActivityMs,
      });
    }
  }
}
