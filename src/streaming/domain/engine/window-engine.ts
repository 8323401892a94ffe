import { type Clock } from '@app/common/clock';
import { type CheckpointDelta, type PartitionState } from './checkpoint-delta';
import { CountedEvents } from './counted-events';
import { LATE, OpenWindows, TOO_LATE } from './open-windows';
import { type AggregateOptions, DEFAULT_AGGREGATE_OPTIONS } from './window-aggregate';
import { type WindowEvent } from './window-event';
import { type WindowResult } from './window-result';
import { type WindowSpec } from '@app/common/window-spec';
import { WatermarkTracker } from './watermarks';

/**
 * Event-time windowing over any number of window specs, with state kept per
 * Kafka partition so that it can be checkpointed and handed over per partition.
 *
 * Semantics (a window is [start, end)). W is the watermark a partition's
 * windows are judged by: that partition's own watermark, its highest event
 * time so far minus the out-of-orderness. Events are keyed by subreddit, so
 * every window's events come from one partition, and nothing another
 * partition carries can change it. Judging by the partition's own progress
 * makes every decision a function of the partition's messages in offset
 * order alone: a replay after a crash, or a new owner after a rebalance,
 * makes exactly the decisions the first run made, whatever else it owns and
 * however fast the other partitions go. (The operator watermark, the minimum
 * over active partitions in watermarks.ts, is still tracked and reported; it
 * does not decide anything here. See `watermarkOf`.)
 * - Dedupe: a fullname counts once. The engine remembers the fullnames it has
 *   counted for as long as any window they fall in can still change.
 * - Each event is judged against W as it stood just before that event, then
 *   moves W, so where Kafka happened to cut the batches does not matter.
 *   Windows are fired or dropped after each batch.
 * - A window is final once W >= end. Allowed lateness L: an event for a final
 *   window is still applied while W < end + L, and the window is emitted again
 *   under the same key. Once W >= end + L the window is dropped from state and
 *   its events are too late: they are reported, not applied.
 * - Changes are not pushed out per event: each partition collects the windows
 *   it changed (or that fired) and `drain` hands them over together with the
 *   checkpoint delta that makes them durable. The caller drains on its own
 *   schedule (e.g. every second), so a busy window is written once per drain.
 * - Events are keyed by subreddit, so all windows of a subreddit stay with the
 *   partition that carries it, and that partition's state has one owner.
 */

export type EngineInput = WindowEvent;

export interface IngestOutcome {
  /** Events counted in at least one window. */
  readonly applied: EngineInput[];
  /** Of `applied`, those that went into a window the watermark had already passed (a refire). */
  readonly lateApplied: EngineInput[];
  /** Events whose fullname was already counted (redeliveries, duplicated input). */
  readonly duplicates: EngineInput[];
  /** Events no window could take any more (beyond allowed lateness): not applied. */
  readonly tooLate: EngineInput[];
  /** For each of `tooLate`, the watermark it was judged against. */
  readonly tooLateWatermarksMs: number[];
}

export interface WindowEngineOptions {
  readonly specs: readonly WindowSpec[];
  readonly outOfOrdernessMs: number;
  readonly allowedLatenessMs: number;
  readonly idleTimeoutMs: number;
  readonly clock: Clock;
  readonly aggregate?: AggregateOptions;
}

export interface PartitionDrain {
  readonly emissions: WindowResult[];
  readonly checkpoint: CheckpointDelta;
}

/** One partition's state: its open windows and the events counted in them. */
interface PartitionData {
  readonly windows: OpenWindows;
  readonly counted: CountedEvents;
}

export class WindowEngineError extends Error {
  readonly code = 'WINDOW_ENGINE_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'WindowEngineError';
  }
}

export class WindowEngine {
  private readonly watermarks: WatermarkTracker;
  private readonly partitions = new Map<string, PartitionData>();
  private readonly aggregateOptions: AggregateOptions;
  /** How far behind W a counted fullname can still matter: the longest window plus lateness. */
  private readonly seenHorizonMs: number;

  constructor(private readonly options: WindowEngineOptions) {
    if (options.specs.length === 0)
      throw new WindowEngineError('at least one window spec is needed');
    if (options.allowedLatenessMs < 0)
      throw new WindowEngineError('allowedLatenessMs must be >= 0');
    const names = new Set<string>();
    for (const spec of options.specs) {
      if (names.has(spec.name)) throw new WindowEngineError(`duplicate window spec ${spec.name}`);
      names.add(spec.name);
    }
    this.aggregateOptions = options.aggregate ?? DEFAULT_AGGREGATE_OPTIONS;
    this.seenHorizonMs =
      Math.max(...options.specs.map((s) => s.sizeMs)) + options.allowedLatenessMs;
    this.watermarks = new WatermarkTracker({
      outOfOrdernessMs: options.outOfOrdernessMs,
      idleTimeoutMs: options.idleTimeoutMs,
      clock: options.clock,
    });
  }

  /** Adds a batch received on `partition`, then advances the watermark. */
  ingest(partition: string, inputs: readonly EngineInput[]): IngestOutcome {
    const outOfOrderness = this.options.outOfOrdernessMs;
    // The partition's highest event time so far: W before each event is this minus the out-of-orderness.
    let maxEventTimeMs = this.watermarks.maxEventTime(partition) ?? Number.NEGATIVE_INFINITY;
    const { windows, counted } = this.dataOf(partition);
    const applied: EngineInput[] = [];
    const lateApplied: EngineInput[] = [];
    const duplicates: EngineInput[] = [];
    const tooLate: EngineInput[] = [];
    const tooLateWatermarksMs: number[] = [];

    for (const input of inputs) {
      const watermarkBefore = maxEventTimeMs - outOfOrderness;
      if (input.eventTimeMs > maxEventTimeMs) maxEventTimeMs = input.eventTimeMs;
      if (counted.has(input.fullname)) {
        duplicates.push(input);
        continue;
      }
      const arrival = windows.add(input, watermarkBefore);
      if (arrival === TOO_LATE) {
        tooLate.push(input);
        tooLateWatermarksMs.push(watermarkBefore);
        continue;
      }
      counted.add(input.fullname, input.eventTimeMs, input.subreddit, input.author);
      applied.push(input);
      if (arrival === LATE) lateApplied.push(input);
    }

    // The loop has found the batch's highest event time already.
    if (inputs.length > 0) this.watermarks.observe(partition, [maxEventTimeMs]);
    this.advance();
    return { applied, lateApplied, duplicates, tooLate, tooLateWatermarksMs };
  }

  /** Advances processing time only: idle partitions may release the watermark, and due windows fire. */
  tick(): void {
    this.advance();
  }

  /** True when `drain(partition)` has something to hand over. */
  hasPending(partition: string): boolean {
    const data = this.partitions.get(partition);
    return data !== undefined && (data.windows.hasPending || data.counted.hasPending);
  }

  /**
   * Hands over the windows of `partition` changed or fired since the last drain,
   * and the checkpoint delta covering them. The caller must persist both before
   * treating the consumed offsets as done; if it cannot, it discards the
   * partition (`dropPartition`) and restores it from the last checkpoint.
   */
  drain(partition: string): PartitionDrain {
    const { windows, counted } = this.dataOf(partition);
    const { emissions, upsertWindows, deleteWindows } = windows.drain(
      partition,
      this.watermarkOf(partition),
    );
    const { appendSeen, deleteSeen } = counted.drain();
    return {
      emissions,
      checkpoint: {
        maxEventTimeMs: this.watermarks.maxEventTime(partition),
        upsertWindows,
        deleteWindows,
        appendSeen,
        deleteSeen,
      },
    };
  }

  /** Rebuilds a partition from its checkpoint (replacing whatever state it had here). */
  restorePartition(partition: string, state: PartitionState): void {
    this.dropPartition(partition);
    const { windows, counted } = this.dataOf(partition);
    if (state.maxEventTimeMs !== null)
      this.watermarks.restorePartition(partition, state.maxEventTimeMs);
    else this.watermarks.register(partition);
    for (const snapshot of state.windows) windows.restore(snapshot);
    for (const row of state.seen) {
      counted.restore(row);
      for (const [, t, subreddit, author] of row.entries) {
        if (subreddit !== undefined && author !== undefined)
          windows.restoreAuthor(subreddit, author, t);
      }
    }
    this.advance();
  }

  /**
   * Declares a partition this engine owns before its state is restored or it
   * delivers data, so that it holds the watermark back meanwhile.
   */
  registerPartition(partition: string): void {
    this.watermarks.register(partition);
  }

  /** Forgets a partition's state here (revoked, or to be restored after a failed flush). */
  dropPartition(partition: string): void {
    this.partitions.delete(partition);
    this.watermarks.remove([partition]);
  }

  get watermarkMs(): number | null {
    const w = this.watermarks.current();
    return Number.isFinite(w) ? w : null;
  }

  /** Windows held in state across all partitions. */
  get openWindowCount(): number {
    let n = 0;
    for (const data of this.partitions.values()) n += data.windows.size;
    return n;
  }

  /** Fullnames remembered for dedupe across all partitions (the engine's largest memory). */
  get seenCount(): number {
    let n = 0;
    for (const data of this.partitions.values()) n += data.counted.size;
    return n;
  }

  private dataOf(partition: string): PartitionData {
    let data = this.partitions.get(partition);
    if (!data) {
      data = {
        windows: new OpenWindows(
          this.options.specs,
          this.options.allowedLatenessMs,
          this.aggregateOptions,
        ),
        counted: new CountedEvents(),
      };
      this.partitions.set(partition, data);
    }
    return data;
  }

  /**
   * The watermark a partition's windows are judged by: the partition's own.
   * Not the operator watermark (the minimum over the partitions this consumer
   * owns), nor a mix of the two: which partitions a consumer owns, and which
   * of them count as idle, depend on rebalances and on processing time, so a
   * replay judged by it could send an event to the late-events topic that
   * the first run applied (or the other way round) and leave rows that no
   * replay reproduces. Holding a partition's windows back for another
   * partition would only delay them: no other partition carries their events.
   */
  private watermarkOf(partition: string): number {
    return this.watermarks.partitionWatermark(partition);
  }

  /** Fires windows the watermark has passed and drops state no event can change any more. */
  private advance(): void {
    for (const [partition, data] of this.partitions) {
      const watermark = this.watermarkOf(partition);
      if (!Number.isFinite(watermark)) continue;
      data.windows.advance(watermark);
      data.counted.expire(watermark - this.seenHorizonMs);
    }
  }
}
