import { type Clock } from '@app/common/clock';
import {
  type AggregateOptions,
  type AggregateSummary,
  DEFAULT_AGGREGATE_OPTIONS,
  WindowAggregate,
  type WindowAggregateJSON,
  type WindowEvent,
} from './aggregate';
import { type WatermarkSnapshot, WatermarkTracker } from './watermarks';
import { assignWindows, type WindowSpec, windowEnd, windowKey } from './window-spec';

/**
 * Event-time windowing over any number of window specs, per partition.
 *
 * Semantics (W = operator watermark, see watermarks.ts; a window is [start, end)):
 * - A window fires (final result) once W >= end.
 * - Allowed lateness L: an event for a fired window is still applied while
 *   W < end + L, and the window is emitted again ("refired", same key).
 * - Once W >= end + L the window is dropped from state; events for it are too late.
 * - W advances between batches: a batch's events are judged against the
 *   watermark as it stood before the batch, then the batch's event times move
 *   the watermark and due windows fire. Results depend only on the sequence of
 *   batches and clock readings, never on wall time.
 * - Dedupe: a fullname counts once per window (a redelivery is ignored).
 * - State lives per partition: events are keyed by subreddit, so all windows
 *   of a subreddit stay with the partition that carries it.
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
  /** Operator watermark when emitted (null before one is established). */
  readonly watermarkMs: number | null;
}

export interface IngestResult {
  /** Open windows this batch changed: partial results to upsert. */
  readonly updated: WindowResult[];
  /** Windows the watermark has passed: final results. */
  readonly fired: WindowResult[];
  /** Already fired windows that late-but-allowed events changed: emit again under the same key. */
  readonly refired: WindowResult[];
  /** Events no window could take any more (beyond allowed lateness): not applied. */
  readonly tooLate: EngineInput[];
  readonly watermarkMs: number | null;
}

export interface WindowEngineOptions {
  readonly specs: readonly WindowSpec[];
  readonly outOfOrdernessMs: number;
  readonly allowedLatenessMs: number;
  readonly idleTimeoutMs: number;
  readonly clock: Clock;
  readonly aggregate?: AggregateOptions;
}

export interface WindowSnapshot {
  readonly subreddit: string;
  readonly window: string;
  readonly windowStartMs: number;
  readonly fired: boolean;
  readonly aggregate: WindowAggregateJSON;
}

export interface EngineSnapshot {
  readonly version: 1;
  readonly watermarks: WatermarkSnapshot;
  readonly partitions: readonly {
    readonly partition: string;
    readonly windows: readonly WindowSnapshot[];
  }[];
}

interface WindowState {
  readonly key: string;
  readonly partition: string;
  readonly subreddit: string;
  readonly spec: WindowSpec;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly aggregate: WindowAggregate;
  fired: boolean;
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
  /** partition -> window key -> state */
  private readonly partitions = new Map<string, Map<string, WindowState>>();
  private readonly specsByName: ReadonlyMap<string, WindowSpec>;
  private readonly aggregateOptions: AggregateOptions;

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
    this.watermarks = new WatermarkTracker({
      outOfOrdernessMs: options.outOfOrdernessMs,
      idleTimeoutMs: options.idleTimeoutMs,
      clock: options.clock,
    });
  }

  /** Adds a batch received on `partition` and reports what changed. An empty batch only advances time. */
  ingest(partition: string, inputs: readonly EngineInput[]): IngestResult {
    const watermarkBefore = this.watermarks.current();
    const windows = this.windowsOf(partition);
    const changed = new Map<string, WindowState>();
    const tooLate: EngineInput[] = [];

    for (const input of inputs) {
      let applicable = false;
      for (const spec of this.options.specs) {
        for (const windowStartMs of assignWindows(spec, input.eventTimeMs)) {
          const windowEndMs = windowEnd(spec, windowStartMs);
          if (watermarkBefore >= windowEndMs + this.options.allowedLatenessMs) continue;
          applicable = true;
          const key = windowKey(input.subreddit, spec.name, windowStartMs);
          let state = windows.get(key);
          if (!state) {
            state = {
              key,
              partition,
              subreddit: input.subreddit,
              spec,
              windowStartMs,
              windowEndMs,
              aggregate: new WindowAggregate(this.aggregateOptions),
              // First event of a window the watermark already passed (late but allowed):
              // its only emissions are late ones, reported as refires of the same key.
              fired: watermarkBefore >= windowEndMs,
            };
            windows.set(key, state);
          }
          if (state.aggregate.add(input)) changed.set(key, state);
        }
      }
      if (!applicable) tooLate.push(input);
    }

    this.watermarks.observe(
      partition,
      inputs.map((i) => i.eventTimeMs),
    );
    const watermark = this.watermarks.current();
    const watermarkMs = Number.isFinite(watermark) ? watermark : null;

    const updated: WindowResult[] = [];
    const refired: WindowResult[] = [];
    for (const state of changed.values()) {
      if (state.fired) refired.push(this.result(state, 'refire', watermarkMs));
      else if (watermark < state.windowEndMs)
        updated.push(this.result(state, 'partial', watermarkMs));
    }
    const fired = this.fireAndEvict(watermark, watermarkMs);
    return { updated, fired, refired, tooLate, watermarkMs };
  }

  /** Advances processing time only (idle partitions may release the watermark) and fires what is due. */
  tick(): IngestResult {
    const watermark = this.watermarks.current();
    const watermarkMs = Number.isFinite(watermark) ? watermark : null;
    return {
      updated: [],
      fired: this.fireAndEvict(watermark, watermarkMs),
      refired: [],
      tooLate: [],
      watermarkMs,
    };
  }

  /** Drops state (windows and watermark) of partitions this consumer no longer owns. */
  partitionsRevoked(partitions: readonly string[]): void {
    for (const p of partitions) this.partitions.delete(p);
    this.watermarks.remove(partitions);
  }

  get watermarkMs(): number | null {
    const w = this.watermarks.current();
    return Number.isFinite(w) ? w : null;
  }

  /** Open windows (not yet dropped) across all partitions. */
  get openWindowCount(): number {
    let n = 0;
    for (const windows of this.partitions.values()) n += windows.size;
    return n;
  }

  snapshot(): EngineSnapshot {
    return {
      version: 1,
      watermarks: this.watermarks.snapshot(),
      partitions: [...this.partitions].map(([partition, windows]) => ({
        partition,
        windows: [...windows.values()].map((w) => ({
          subreddit: w.subreddit,
          window: w.spec.name,
          windowStartMs: w.windowStartMs,
          fired: w.fired,
          aggregate: w.aggregate.toJSON(),
        })),
      })),
    };
  }

  /** Replaces all state with a snapshot. Windows of specs no longer configured are ignored. */
  restore(snapshot: EngineSnapshot): void {
    if (snapshot.version !== 1) {
      throw new WindowEngineError(`unsupported snapshot version ${String(snapshot.version)}`);
    }
    this.partitions.clear();
    this.watermarks.restore(snapshot.watermarks);
    for (const { partition, windows } of snapshot.partitions) {
      const states = this.windowsOf(partition);
      for (const w of windows) {
        const spec = this.specsByName.get(w.window);
        if (!spec) continue;
        const key = windowKey(w.subreddit, spec.name, w.windowStartMs);
        states.set(key, {
          key,
          partition,
          subreddit: w.subreddit,
          spec,
          windowStartMs: w.windowStartMs,
          windowEndMs: windowEnd(spec, w.windowStartMs),
          aggregate: WindowAggregate.fromJSON(w.aggregate),
          fired: w.fired,
        });
      }
    }
  }

  private windowsOf(partition: string): Map<string, WindowState> {
    let windows = this.partitions.get(partition);
    if (!windows) {
      windows = new Map();
      this.partitions.set(partition, windows);
    }
    return windows;
  }

  private fireAndEvict(watermark: number, watermarkMs: number | null): WindowResult[] {
    const fired: WindowResult[] = [];
    for (const windows of this.partitions.values()) {
      for (const [key, state] of windows) {
        if (!state.fired && watermark >= state.windowEndMs) {
          state.fired = true;
          fired.push(this.result(state, 'final', watermarkMs));
        }
        if (watermark >= state.windowEndMs + this.options.allowedLatenessMs) windows.delete(key);
      }
    }
    return fired.sort(
      (a, b) => a.windowEndMs - b.windowEndMs || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    );
  }

  private result(
    state: WindowState,
    emission: EmissionKind,
    watermarkMs: number | null,
  ): WindowResult {
    return {
      ...state.aggregate.summary(),
      key: state.key,
      partition: state.partition,
      subreddit: state.subreddit,
      window: state.spec.name,
      windowStartMs: state.windowStartMs,
      windowEndMs: state.windowEndMs,
      emission,
      watermarkMs,
    };
  }
}
