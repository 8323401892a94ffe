import { type Clock } from '@app/common/clock';
import { type CheckpointDelta, type PartitionState } from './checkpoint-delta';
import {
  type ArchivedState,
  type ArchiveLookup,
  ClosedWindows,
  NOTHING_ARCHIVED,
} from './closed-windows';
import { archiveLookups, reopenFor } from './reopening';
import { CountedEvents } from './counted-events';
import { CLOSED_BY_NONE, CLOSED_UNRECOVERABLY, LaneClocks } from './lane-clocks';
import { LATE, OpenWindows, TOO_LATE } from './open-windows';
import { type AggregateOptions, DEFAULT_AGGREGATE_OPTIONS } from './window-aggregate';
import { LIVE_LANE, type WindowEvent } from './window-event';
import { type WindowResult } from './window-result';
import { type WindowSpec } from '@app/common/window-spec';
import { WatermarkTracker } from './watermarks';

/**
 * Event-time windowing over any number of window specs, with state kept per
 * Kafka partition so that it can be checkpointed and handed over per partition.
 *
 * Semantics (a window is [start, end)). W is the watermark an event is
 * judged by: that of its lane (LaneClocks) on its partition, the lane's
 * highest event time so far minus the out-of-orderness. Live streams share
 * one lane; each backfill (replay) has its own, so history is judged by its
 * own progress through time, not by the live data's. Events are keyed by
 * subreddit, so every window's events come from one partition, and nothing
 * another partition carries can change it. Judging by the partition's own
 * lanes makes every decision a function of the partition's messages in
 * offset order alone: a replay after a crash, or a new owner after a
 * rebalance, makes exactly the decisions the first run made, whatever else
 * it owns and however fast the other partitions go. (The operator watermark,
 * the minimum over active partitions of their live lane in watermarks.ts, is
 * still tracked and reported; it does not decide anything here: which
 * partitions a consumer owns, and which count as idle, depend on rebalances
 * and processing time, so a replay judged by it could decide otherwise than
 * the first run and leave rows no replay reproduces.)
 * - Windows are shared by the lanes: one row per window, whichever lanes fed
 *   it. A window is judged by the slowest lane it holds (OpenWindows).
 * - Dedupe: a fullname counts once. The engine remembers the fullnames it has
 *   counted for as long as any window they fall in can still change.
 * - Each event is judged against W as it stood just before that event, then
 *   moves W, so where Kafka happened to cut the batches does not matter.
 *   Windows are fired or dropped after each batch.
 * - A window is final once W >= end. Allowed lateness L: an event for a final
 *   window is still applied while W < end + L, and the window is emitted again
 *   under the same key. Once W >= end + L the window is dropped from state and
 *   its events are too late: they are reported, not applied.
 * - A lane that reaches a window another lane has already dropped (a
 *   backfill of the last hour next to the live stream) reopens it from the
 *   archive of closed windows, with the events counted in it, so the row
 *   becomes the union of both lanes' events, each once (ClosedWindows). The
 *   caller fetches what a batch may need first (`archiveLookups`), since the
 *   engine itself never waits. Beyond the archive's horizon such an event is
 *   too late: its row cannot be rebuilt from a part of its events.
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
  /** For each of `applied`, its lane's watermark just before it (what trend detection judges it by). */
  readonly appliedWatermarksMs: number[];
  /**
   * For each of `applied`, how far its lane had closed its windows when it
   * last ended (LaneClocks.closedThrough), as it stood just before the event:
   * the live lane can end and resume, and trend detection must then keep
   * the minutes judged at the end closed.
   */
  readonly appliedClosedThroughMs: number[];
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
  /**
   * How far behind a partition's newest event closed windows stay archived
   * for other lanes to merge into (0 or absent: no archive; a lane reaching
   * a window another lane closed is then too late).
   */
  readonly mergeHorizonMs?: number;
}

export interface PartitionDrain {
  readonly emissions: WindowResult[];
  readonly checkpoint: CheckpointDelta;
  /** Pass to `archived` once the checkpoint holding this drain is stored (null: no archive). */
  readonly drain: number | null;
}

/** One partition's state: its lanes, its open windows and the events counted in them. */
interface PartitionData {
  readonly lanes: LaneClocks;
  readonly windows: OpenWindows;
  readonly counted: CountedEvents;
  /** Closed here and not yet known to be stored (null: no archive). */
  readonly closed: ClosedWindows | null;
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
  private readonly longestWindowMs: number;
  /** Closed windows reopened from the archive so far (all partitions). */
  private reopened = 0;

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
    this.longestWindowMs = Math.max(...options.specs.map((s) => s.sizeMs));
    this.seenHorizonMs = this.longestWindowMs + options.allowedLatenessMs;
    this.watermarks = new WatermarkTracker({
      outOfOrdernessMs: options.outOfOrdernessMs,
      idleTimeoutMs: options.idleTimeoutMs,
      clock: options.clock,
    });
  }

  /**
   * The closed windows `inputs` may reopen that are not at hand here: fetch
   * them from the archive and pass them to `ingest` with the same batch.
   */
  archiveLookups(partition: string, inputs: readonly EngineInput[]): ArchiveLookup[] {
    return archiveLookups(this.dataOf(partition), this.options.specs, inputs);
  }

  /**
   * Adds a batch received on `partition`, then advances the watermarks.
   * `archived`: what the archive held for `archiveLookups` of this batch.
   */
  ingest(
    partition: string,
    inputs: readonly EngineInput[],
    archived: ArchivedState = NOTHING_ARCHIVED,
  ): IngestOutcome {
    const lateness = this.options.allowedLatenessMs;
    const data = this.dataOf(partition);
    const { lanes, windows, counted, closed } = data;
    const applied: EngineInput[] = [];
    const appliedWatermarksMs: number[] = [];
    const appliedClosedThroughMs: number[] = [];
    const lateApplied: EngineInput[] = [];
    const duplicates: EngineInput[] = [];
    const tooLate: EngineInput[] = [];
    const tooLateWatermarksMs: number[] = [];
    let liveMaxMs = Number.NEGATIVE_INFINITY;
    const mayOpenIn = new Map<
      string,
      (subreddit: string, startMs: number, endMs: number) => boolean
    >();

    for (const input of inputs) {
      const lane = input.lane ?? LIVE_LANE;
      // Live data after the last live stream stopped reopens the live lane;
      // a backfill that ended stays ended (what it still carries is too late).
      if (lane === LIVE_LANE) lanes.resume(lane);
      // Each event is judged by its lane's watermark as it stood just before it.
      const watermarkBefore = lanes.watermark(lane);
      lanes.observe(lane, input.subreddit, input.eventTimeMs);
      if (lane === LIVE_LANE && input.eventTimeMs > liveMaxMs) liveMaxMs = input.eventTimeMs;
      // Before dedupe: a reopened window brings back the events counted in it.
      this.reopened += reopenFor(data, this.options, input, watermarkBefore, archived);
      if (counted.has(input.fullname)) {
        duplicates.push(input);
        continue;
      }
      let mayOpen = mayOpenIn.get(lane);
      if (!mayOpen) {
        // With the archive, a window it does not hold was never closed by a
        // lane that archives; otherwise, only one no other lane closed opens.
        mayOpen = (subreddit: string, startMs: number, endMs: number) => {
          const by = lanes.closedBy(lane, subreddit, startMs, endMs, lateness);
          return closed ? by !== CLOSED_UNRECOVERABLY : by === CLOSED_BY_NONE;
        };
        mayOpenIn.set(lane, mayOpen);
      }
      const arrival = windows.add(input, lane, watermarkBefore, mayOpen);
      if (arrival === TOO_LATE) {
        tooLate.push(input);
        tooLateWatermarksMs.push(watermarkBefore);
        continue;
      }
      counted.add(input.fullname, input.eventTimeMs, input.subreddit, input.author, lane);
      applied.push(input);
      appliedWatermarksMs.push(watermarkBefore);
      appliedClosedThroughMs.push(lanes.closedThrough(lane));
      if (arrival === LATE) lateApplied.push(input);
    }

    // The live lane also drives the consumer's reported watermark and idleness.
    if (Number.isFinite(liveMaxMs)) this.watermarks.observe(partition, [liveMaxMs]);
    this.advance();
    return {
      applied,
      appliedWatermarksMs,
      appliedClosedThroughMs,
      lateApplied,
      duplicates,
      tooLate,
      tooLateWatermarksMs,
    };
  }

  /**
   * Closes a lane on `partition` at this point of its messages (the marker
   * ingest sends after a stream's last event): the windows only it holds
   * become final. Idempotent. The live lane can reopen (see LaneClocks.resume)
   * only with the archive of closed windows, so without it the live lane
   * stays open.
   */
  endLane(partition: string, lane: string): void {
    const data = this.dataOf(partition);
    if (lane === LIVE_LANE && !data.closed) return;
    data.lanes.end(lane);
    this.advance();
  }

  /** Advances processing time only: idle partitions may release the watermark, and due windows fire. */
  tick(): void {
    this.advance();
  }

  /** A lane's watermark on `partition` as it stands (-Infinity before its first event, +Infinity once ended). */
  laneWatermark(partition: string, lane: string): number {
    return this.partitions.get(partition)?.lanes.watermark(lane) ?? Number.NEGATIVE_INFINITY;
  }

  /** Whether the partition's live lane has had no data for the idle timeout (or never any). */
  isLiveIdle(partition: string): boolean {
    return this.watermarks.isIdle(partition);
  }

  /** See LaneClocks.closedThrough. */
  laneClosedThrough(partition: string, lane: string): number {
    return this.partitions.get(partition)?.lanes.closedThrough(lane) ?? Number.NEGATIVE_INFINITY;
  }

  /** True when `drain(partition)` has something to hand over. */
  hasPending(partition: string): boolean {
    const data = this.partitions.get(partition);
    return (
      data !== undefined &&
      (data.windows.hasPending ||
        data.counted.hasPending ||
        data.lanes.hasChanges ||
        (data.closed?.hasPending ?? false))
    );
  }

  /**
   * Hands over the windows of `partition` changed or fired since the last drain,
   * and the checkpoint delta covering them. The caller must persist both before
   * treating the consumed offsets as done; if it cannot, it discards the
   * partition (`dropPartition`) and restores it from the last checkpoint.
   */
  drain(partition: string): PartitionDrain {
    const { lanes, windows, counted, closed } = this.dataOf(partition);
    const { emissions, upsertWindows, deleteWindows } = windows.drain(partition, (lane) =>
      lanes.watermark(lane),
    );
    const { appendSeen, deleteSeen } = counted.drain();
    const archive = closed?.drain(lanes.archivePurgeBeforeMs(this.longestWindowMs)) ?? null;
    return {
      emissions,
      checkpoint: {
        maxEventTimeMs: lanes.maxEventTime(LIVE_LANE),
        upsertWindows,
        deleteWindows,
        appendSeen,
        deleteSeen,
        upsertLanes: lanes.takeChanged(),
        ...(archive
          ? {
              archive: {
                windows: archive.windows,
                seen: archive.seen,
                purgeBeforeMs: archive.purgeBeforeMs,
              },
            }
          : {}),
      },
      drain: archive?.drain ?? null,
    };
  }

  /**
   * The checkpoint holding `drain` (and every drain before it) of `partition`
   * is stored: what they archived is now read from the store.
   */
  archived(partition: string, drain: number): void {
    this.partitions.get(partition)?.closed?.confirm(drain);
  }

  /** Rebuilds a partition from its checkpoint (replacing whatever state it had here). */
  restorePartition(partition: string, state: PartitionState): void {
    this.dropPartition(partition);
    const { lanes, windows, counted } = this.dataOf(partition);
    if (state.maxEventTimeMs !== null)
      this.watermarks.restorePartition(partition, state.maxEventTimeMs);
    else this.watermarks.register(partition);
    lanes.restoreAll(state.maxEventTimeMs, state.lanes ?? []);
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

  /** Closed windows reopened from the archive since this engine started. */
  get reopenedWindowCount(): number {
    return this.reopened;
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
      const horizon = this.options.mergeHorizonMs ?? 0;
      const closed = horizon > 0 ? new ClosedWindows() : null;
      data = {
        lanes: new LaneClocks(this.options.outOfOrdernessMs, horizon),
        windows: new OpenWindows(
          this.options.specs,
          this.options.allowedLatenessMs,
          this.aggregateOptions,
          closed,
        ),
        counted: new CountedEvents(closed),
        closed,
      };
      this.partitions.set(partition, data);
    }
    return data;
  }

  /** Fires windows their lanes have passed and drops state no event can change any more. */
  private advance(): void {
    for (const data of this.partitions.values()) {
      const watermarkOf = (lane: string) => data.lanes.watermark(lane);
      data.windows.advance(watermarkOf);
      data.counted.expire(
        (lane) => watermarkOf(lane) - this.seenHorizonMs,
        (subreddit, fromMs, toMs) => data.windows.isOpen(subreddit, fromMs, toMs),
      );
    }
  }
}
