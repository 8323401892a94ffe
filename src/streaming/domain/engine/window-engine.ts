import { type Clock } from '@app/common/clock';
import {
  type AggregateOptions,
  type AggregateSummary,
  DEFAULT_AGGREGATE_OPTIONS,
  WindowAggregate,
  type WindowAggregateCountsJSON,
  type WindowAggregateJSON,
  type WindowEvent,
} from './aggregate';
import { WatermarkTracker } from './watermarks';
import { assignWindows, floorTo, type WindowSpec, windowEnd, windowKey } from './window-spec';

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

export type EmissionKind = 'partial' | 'final' | 'refire';

export interface WindowResult extends AggregateSummary {
  /** `subreddit|spec|windowStartMs`: the same key for partial, final and refired emissions. */
  readonly key: string;
  readonly partition: string;
  readonly subreddit: string;
  readonly window: string;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly emission: EmissionKind;
  /** True once the watermark has passed the window's end. */
  readonly final: boolean;
  /** The partition's watermark when emitted (null before one is established). */
  readonly watermarkMs: number | null;
}

export interface IngestOutcome {
  /** Events counted in at least one window. */
  readonly applied: EngineInput[];
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

/** One window's state as checkpointed. */
export interface WindowSnapshot {
  readonly subreddit: string;
  readonly window: string;
  readonly windowStartMs: number;
  /** The final result has been emitted (later changes are refires). */
  readonly finalEmitted: boolean;
  /**
   * Written without the author set, which a restore rebuilds from the seen
   * rows (checkpoints written before that carry it).
   */
  readonly aggregate: WindowAggregateCountsJSON | WindowAggregateJSON;
}

/**
 * One counted event, as a checkpoint remembers it: enough for dedupe, and
 * for rebuilding the author sets of the windows it was counted in. (Rows
 * written before authors were kept here have only the first two fields.)
 */
export type SeenEntry = readonly [
  fullname: string,
  eventTimeMs: number,
  subreddit?: string,
  author?: string,
];

/** Counted events added between two drains. */
export interface SeenRow {
  readonly seq: number;
  readonly maxEventTimeMs: number;
  readonly entries: readonly SeenEntry[];
}

/** Everything needed to rebuild a partition's state. */
export interface PartitionState {
  /** Highest event time seen on the partition (null before any). */
  readonly maxEventTimeMs: number | null;
  readonly windows: readonly WindowSnapshot[];
  readonly seen: readonly SeenRow[];
}

/** The change to a partition's checkpoint since the previous drain. */
export interface CheckpointDelta {
  readonly maxEventTimeMs: number | null;
  readonly upsertWindows: readonly WindowSnapshot[];
  /** Keys (`windowKey`) of windows dropped from state. */
  readonly deleteWindows: readonly string[];
  readonly appendSeen: readonly SeenRow[];
  /** Seen rows whose fullnames can no longer matter. */
  readonly deleteSeen: readonly number[];
}

/**
 * One delta with the effect of `older` then `newer`, for a caller that drains
 * more often than it checkpoints: the latest snapshot of each window, no
 * window or seen row that is both added and deleted in between.
 */
export function mergeCheckpointDeltas(
  older: CheckpointDelta,
  newer: CheckpointDelta,
): CheckpointDelta {
  const deletedWindows = new Set([...older.deleteWindows, ...newer.deleteWindows]);
  const upserts = new Map<string, WindowSnapshot>();
  for (const w of [...older.upsertWindows, ...newer.upsertWindows]) {
    upserts.set(windowKey(w.subreddit, w.window, w.windowStartMs), w);
  }
  for (const key of deletedWindows) upserts.delete(key);
  const deletedSeen = new Set([...older.deleteSeen, ...newer.deleteSeen]);
  const appendSeen = [...older.appendSeen, ...newer.appendSeen].filter(
    (row) => !deletedSeen.has(row.seq),
  );
  // A row added and deleted between two checkpoints was never stored: nothing to delete.
  const added = new Set([...older.appendSeen, ...newer.appendSeen].map((row) => row.seq));
  return {
    maxEventTimeMs: newer.maxEventTimeMs ?? older.maxEventTimeMs,
    upsertWindows: [...upserts.values()],
    deleteWindows: [...deletedWindows],
    appendSeen,
    deleteSeen: [...deletedSeen].filter((seq) => !added.has(seq)),
  };
}

export interface PartitionDrain {
  readonly emissions: WindowResult[];
  readonly checkpoint: CheckpointDelta;
}

interface WindowState {
  readonly key: string;
  readonly subreddit: string;
  readonly spec: WindowSpec;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly aggregate: WindowAggregate;
  finalEmitted: boolean;
  /** Beyond allowed lateness: removed at the next drain. */
  dropped: boolean;
}

interface PartitionData {
  readonly windows: Map<string, WindowState>;
  /** Keys of windows changed or fired since the last drain. */
  readonly dirty: Set<string>;
  readonly droppedKeys: string[];
  /** fullname -> event time, for dedupe. */
  readonly seen: Map<string, number>;
  /** Seen fullnames by event-time minute, so expiry does not scan the whole set. */
  readonly seenByMinute: Map<number, string[]>;
  newSeen: SeenEntry[];
  readonly seenRows: { seq: number; maxEventTimeMs: number }[];
  readonly expiredSeenRows: number[];
  nextSeq: number;
}

const MINUTE_MS = 60_000;

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
  private readonly specsByName: ReadonlyMap<string, WindowSpec>;
  private readonly aggregateOptions: AggregateOptions;
  /** How far behind W a counted fullname can still matter: the longest window plus lateness. */
  private readonly seenHorizonMs: number;

  constructor(private readonly options: WindowEngineOptions) {
    if (options.specs.length === 0)
      throw new WindowEngineError('at least one window spec is needed');
    if (options.allowedLatenessMs < 0)
      throw new WindowEngineError('allowedLatenessMs must be >= 0');
    const byName = new Map<string, WindowSpec>();
    for (const spec of options.specs) {
      if (byName.has(spec.name)) throw new WindowEngineError(`duplicate window spec ${spec.name}`);
      byName.set(spec.name, spec);
    }
    this.specsByName = byName;
    this.aggregateOptions = options.aggregate ?? DEFAULT_AGGREGATE_OPTIONS;
    this.seenHorizonMs =
      Math.max(...options.specs.map((s) => s.sizeMs)) + options.allowedLatenessMs;
    this.watermarks = new WatermarkTracker({
      outOfOrdernessMs: options.outOfOrdernessMs,
      idleTimeoutMs: options.idleTimeoutMs,
      clock: options.clock,
    });
  }

  get specs(): readonly WindowSpec[] {
    return this.options.specs;
  }

  /** Adds a batch received on `partition`, then advances the watermark. */
  ingest(partition: string, inputs: readonly EngineInput[]): IngestOutcome {
    const outOfOrderness = this.options.outOfOrdernessMs;
    const lateness = this.options.allowedLatenessMs;
    // The partition's highest event time so far: W before each event is this minus the out-of-orderness.
    let maxEventTimeMs = this.watermarks.maxEventTime(partition) ?? Number.NEGATIVE_INFINITY;
    const data = this.dataOf(partition);
    const applied: EngineInput[] = [];
    const duplicates: EngineInput[] = [];
    const tooLate: EngineInput[] = [];
    const tooLateWatermarksMs: number[] = [];

    for (const input of inputs) {
      const watermarkBefore = maxEventTimeMs - outOfOrderness;
      if (input.eventTimeMs > maxEventTimeMs) maxEventTimeMs = input.eventTimeMs;
      if (data.seen.has(input.fullname)) {
        duplicates.push(input);
        continue;
      }
      let counted = false;
      for (const spec of this.options.specs) {
        for (const windowStartMs of assignWindows(spec, input.eventTimeMs)) {
          const windowEndMs = windowEnd(spec, windowStartMs);
          if (watermarkBefore >= windowEndMs + lateness) continue;
          const key = windowKey(input.subreddit, spec.name, windowStartMs);
          let state = data.windows.get(key);
          if (!state) {
            state = {
              key,
              subreddit: input.subreddit,
              spec,
              windowStartMs,
              windowEndMs,
              aggregate: new WindowAggregate(this.aggregateOptions),
              finalEmitted: false,
              dropped: false,
            };
            data.windows.set(key, state);
          }
          state.aggregate.add(input);
          data.dirty.add(key);
          counted = true;
        }
      }
      if (counted) {
        this.remember(data, input.fullname, input.eventTimeMs);
        data.newSeen.push([input.fullname, input.eventTimeMs, input.subreddit, input.author]);
        applied.push(input);
      } else {
        tooLate.push(input);
        tooLateWatermarksMs.push(watermarkBefore);
      }
    }

    // The loop has found the batch's highest event time already.
    if (inputs.length > 0) this.watermarks.observe(partition, [maxEventTimeMs]);
    this.advance();
    return { applied, duplicates, tooLate, tooLateWatermarksMs };
  }

  /** Advances processing time only: idle partitions may release the watermark, and due windows fire. */
  tick(): void {
    this.advance();
  }

  /** True when `drain(partition)` has something to hand over. */
  hasPending(partition: string): boolean {
    const data = this.partitions.get(partition);
    if (!data) return false;
    return (
      data.dirty.size > 0 ||
      data.droppedKeys.length > 0 ||
      data.newSeen.length > 0 ||
      data.expiredSeenRows.length > 0
    );
  }

  /**
   * Hands over the windows of `partition` changed or fired since the last drain,
   * and the checkpoint delta covering them. The caller must persist both before
   * treating the consumed offsets as done; if it cannot, it discards the
   * partition (`dropPartition`) and restores it from the last checkpoint.
   */
  drain(partition: string): PartitionDrain {
    const data = this.dataOf(partition);
    const watermark = this.watermarkOf(partition);
    const watermarkMs = Number.isFinite(watermark) ? watermark : null;
    const emissions: WindowResult[] = [];
    const upsertWindows: WindowSnapshot[] = [];
    const deleteWindows = data.droppedKeys.splice(0);

    for (const key of [...data.dirty].sort()) {
      const state = data.windows.get(key);
      if (!state) continue;
      const final = watermark >= state.windowEndMs;
      let emission: EmissionKind = 'partial';
      if (final) {
        emission = state.finalEmitted ? 'refire' : 'final';
        state.finalEmitted = true;
      }
      emissions.push(this.result(partition, state, emission, final, watermarkMs));
      if (state.dropped) {
        data.windows.delete(key);
        deleteWindows.push(key);
      } else {
        upsertWindows.push(snapshotOf(state));
      }
    }
    data.dirty.clear();

    const appendSeen: SeenRow[] = [];
    if (data.newSeen.length > 0) {
      let maxEventTimeMs = Number.NEGATIVE_INFINITY;
      for (const [, t] of data.newSeen) if (t > maxEventTimeMs) maxEventTimeMs = t;
      const row = { seq: data.nextSeq++, maxEventTimeMs, entries: data.newSeen };
      appendSeen.push(row);
      data.seenRows.push({ seq: row.seq, maxEventTimeMs });
      data.newSeen = [];
    }

    return {
      emissions,
      checkpoint: {
        maxEventTimeMs: this.watermarks.maxEventTime(partition),
        upsertWindows,
        deleteWindows,
        appendSeen,
        deleteSeen: data.expiredSeenRows.splice(0),
      },
    };
  }

  /** Rebuilds a partition from its checkpoint (replacing whatever state it had here). */
  restorePartition(partition: string, state: PartitionState): void {
    this.dropPartition(partition);
    const data = this.dataOf(partition);
    if (state.maxEventTimeMs !== null)
      this.watermarks.restorePartition(partition, state.maxEventTimeMs);
    else this.watermarks.register(partition);
    for (const w of state.windows) {
      const spec = this.specsByName.get(w.window);
      if (!spec) continue; // a spec no longer configured
      const key = windowKey(w.subreddit, spec.name, w.windowStartMs);
      data.windows.set(key, {
        key,
        subreddit: w.subreddit,
        spec,
        windowStartMs: w.windowStartMs,
        windowEndMs: windowEnd(spec, w.windowStartMs),
        aggregate: WindowAggregate.fromJSON(w.aggregate),
        finalEmitted: w.finalEmitted,
        dropped: false,
      });
    }
    for (const row of state.seen) {
      for (const [fullname, t, subreddit, author] of row.entries) {
        this.remember(data, fullname, t);
        if (subreddit !== undefined && author !== undefined)
          this.restoreAuthor(data, subreddit, author, t);
      }
      data.seenRows.push({ seq: row.seq, maxEventTimeMs: row.maxEventTimeMs });
      data.nextSeq = Math.max(data.nextSeq, row.seq + 1);
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

  get partitionIds(): string[] {
    return [...this.partitions.keys()];
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

  /** Fullnames remembered for dedupe across all partitions. */
  get seenCount(): number {
    let n = 0;
    for (const data of this.partitions.values()) n += data.seen.size;
    return n;
  }

  private dataOf(partition: string): PartitionData {
    let data = this.partitions.get(partition);
    if (!data) {
      data = {
        windows: new Map(),
        dirty: new Set(),
        droppedKeys: [],
        seen: new Map(),
        seenByMinute: new Map(),
        newSeen: [],
        seenRows: [],
        expiredSeenRows: [],
        nextSeq: 0,
      };
      this.partitions.set(partition, data);
    }
    return data;
  }

  /**
   * Puts a counted event's author back into the restored windows it falls in.
   * Every window still in state has all its events in the seen rows (they are
   * kept until no window they fall in can change), and a window an event was
   * too late for was dropped before the checkpoint, so this rebuilds exactly
   * the author sets that were counted; the sketch is a function of the set of
   * names, so the order does not matter.
   */
  private restoreAuthor(
    data: PartitionData,
    subreddit: string,
    author: string,
    eventTimeMs: number,
  ): void {
    for (const spec of this.options.specs) {
      for (const windowStartMs of assignWindows(spec, eventTimeMs)) {
        data.windows
          .get(windowKey(subreddit, spec.name, windowStartMs))
          ?.aggregate.authors.add(author);
      }
    }
  }

  private remember(data: PartitionData, fullname: string, eventTimeMs: number): void {
    if (data.seen.has(fullname)) return;
    data.seen.set(fullname, eventTimeMs);
    const minute = floorTo(eventTimeMs, MINUTE_MS);
    const bucket = data.seenByMinute.get(minute);
    if (bucket) bucket.push(fullname);
    else data.seenByMinute.set(minute, [fullname]);
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
      const seenHorizon = watermark - this.seenHorizonMs;
      for (const [key, state] of data.windows) {
        if (state.dropped) continue;
        if (!state.finalEmitted && watermark >= state.windowEndMs) data.dirty.add(key);
        if (watermark >= state.windowEndMs + this.options.allowedLatenessMs) {
          state.dropped = true;
          if (!data.dirty.has(key)) {
            data.windows.delete(key);
            data.droppedKeys.push(key);
          }
        }
      }
      for (const [minute, names] of data.seenByMinute) {
        if (minute + MINUTE_MS > seenHorizon) continue;
        for (const name of names) data.seen.delete(name);
        data.seenByMinute.delete(minute);
      }
      while (data.seenRows.length > 0 && (data.seenRows[0]?.maxEventTimeMs ?? 0) < seenHorizon) {
        const row = data.seenRows.shift();
        if (row) data.expiredSeenRows.push(row.seq);
      }
    }
  }

  private result(
    partition: string,
    state: WindowState,
    emission: EmissionKind,
    final: boolean,
    watermarkMs: number | null,
  ): WindowResult {
    return {
      ...state.aggregate.summary(),
      key: state.key,
      partition,
      subreddit: state.subreddit,
      window: state.spec.name,
      windowStartMs: state.windowStartMs,
      windowEndMs: state.windowEndMs,
      emission,
      final,
      watermarkMs,
    };
  }
}

function snapshotOf(state: WindowState): WindowSnapshot {
  return {
    subreddit: state.subreddit,
    window: state.spec.name,
    windowStartMs: state.windowStartMs,
    finalEmitted: state.finalEmitted,
    aggregate: state.aggregate.toCountsJSON(),
  };
}
