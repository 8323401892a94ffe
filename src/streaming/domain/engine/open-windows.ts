import { type WindowSnapshot } from './checkpoint-delta';
import { type ClosedWindows } from './closed-windows';
import { type AggregateOptions, WindowAggregate } from './window-aggregate';
import { LIVE_LANE, type WindowEvent } from './window-event';
import { type EmissionKind, type WindowResult } from './window-result';
import {
  assignWindows,
  floorTo,
  slideOf,
  type WindowSpec,
  windowEnd,
  windowKey,
} from '@app/common/window-spec';

/** How an event met its windows. */
export const ON_TIME = 0;
export const LATE = 1;
export const TOO_LATE = 2;
export type Arrival = typeof ON_TIME | typeof LATE | typeof TOO_LATE;

interface WindowState {
  readonly key: string;
  readonly subreddit: string;
  readonly spec: WindowSpec;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly aggregate: WindowAggregate;
  /** The lanes whose events it holds, sorted: it is final when all of them have passed its end. */
  lanes: readonly string[];
  finalEmitted: boolean;
  /** Beyond allowed lateness: removed at the next drain. */
  dropped: boolean;
}

/**
 * The windows of one partition that can still change, and what changed in
 * them since the last drain. Assignment, firing and lateness live here; the
 * watermark they are judged by is the caller's.
 */
export class OpenWindows {
  private readonly windows = new Map<string, WindowState>();
  /** Keys of windows changed or fired since the last drain. */
  private readonly dirty = new Set<string>();
  private droppedKeys: string[] = [];

  constructor(
    private readonly specs: readonly WindowSpec[],
    private readonly allowedLatenessMs: number,
    private readonly aggregateOptions: AggregateOptions,
    /** Where dropped windows go to be archived (none: the archive is off). */
    private readonly archive: ClosedWindows | null = null,
  ) {}

  get size(): number {
    return this.windows.size;
  }

  /** True while the window is held (open, or dropped but not yet drained). */
  holds(key: string): boolean {
    return this.windows.has(key);
  }

  get hasPending(): boolean {
    return this.dirty.size > 0 || this.droppedKeys.length > 0;
  }

  /**
   * Adds the event to every window it falls in that its lane's watermark (as
   * it stood just before the event) has not closed for good, and that is
   * held here or `mayOpen` allows to open. Returns TOO_LATE when there is
   * none, LATE when some window it went into had already passed the
   * watermark (its result is emitted again), else ON_TIME.
   */
  add(
    event: WindowEvent,
    lane: string,
    watermarkBefore: number,
    mayOpen: (subreddit: string, windowStartMs: number, windowEndMs: number) => boolean,
  ): Arrival {
    let arrival: Arrival = TOO_LATE;
    for (const spec of this.specs) {
      for (const windowStartMs of assignWindows(spec, event.eventTimeMs)) {
        const windowEndMs = windowEnd(spec, windowStartMs);
        if (watermarkBefore >= windowEndMs + this.allowedLatenessMs) continue;
        const key = windowKey(event.subreddit, spec.name, windowStartMs);
        let state = this.windows.get(key);
        if (!state) {
          if (!mayOpen(event.subreddit, windowStartMs, windowEndMs)) continue;
          state = {
            key,
            subreddit: event.subreddit,
            spec,
            windowStartMs,
            windowEndMs,
            aggregate: new WindowAggregate(this.aggregateOptions),
            lanes: [lane],
            finalEmitted: false,
            dropped: false,
          };
          this.windows.set(key, state);
        }
        if (!state.lanes.includes(lane)) state.lanes = [...state.lanes, lane].sort();
        // Dropped but not yet drained: this lane can still reach it, so it
        // stays (the next advance judges it again, by this lane too).
        state.dropped = false;
        state.aggregate.add(event);
        this.dirty.add(key);
        if (watermarkBefore >= windowEndMs) arrival = LATE;
        else if (arrival === TOO_LATE) arrival = ON_TIME;
      }
    }
    return arrival;
  }

  /** Marks windows the watermark has passed to fire, and drops those past their lateness. */
  advance(watermarkOf: (lane: string) => number): void {
    for (const [key, state] of this.windows) {
      if (state.dropped) continue;
      const watermark = windowWatermark(state, watermarkOf);
      // -Infinity: a lane without a watermark yet; +Infinity: every lane closed.
      if (watermark === Number.NEGATIVE_INFINITY) continue;
      if (!state.finalEmitted && watermark >= state.windowEndMs) this.dirty.add(key);
      if (watermark >= state.windowEndMs + this.allowedLatenessMs) {
        state.dropped = true;
        // A dirty window is emitted once more by the next drain, then removed.
        if (!this.dirty.has(key)) this.remove(state);
      }
    }
  }

  /** The changed and fired windows in key order, with their snapshots and the keys dropped. */
  drain(
    partition: string,
    watermarkOf: (lane: string) => number,
  ): { emissions: WindowResult[]; upsertWindows: WindowSnapshot[]; deleteWindows: string[] } {
    const emissions: WindowResult[] = [];
    const upsertWindows: WindowSnapshot[] = [];
    for (const key of [...this.dirty].sort()) {
      const state = this.windows.get(key);
      if (!state) continue;
      const watermark = windowWatermark(state, watermarkOf);
      const watermarkMs = Number.isFinite(watermark) ? watermark : null;
      const final = watermark >= state.windowEndMs;
      let emission: EmissionKind = 'partial';
      if (final) {
        emission = state.finalEmitted ? 'refire' : 'final';
        state.finalEmitted = true;
      } else {
        // A lane joined (or reopened) a window the others had finished: it
        // is open again, and is emitted as final again once that lane passes.
        state.finalEmitted = false;
      }
      emissions.push(resultOf(partition, state, emission, final, watermarkMs));
      if (state.dropped) this.remove(state);
      else upsertWindows.push(snapshotOf(state));
    }
    this.dirty.clear();
    // A window dropped and then reopened since the last drain is upserted, not deleted.
    const upserted = new Set(
      upsertWindows.map((w) => windowKey(w.subreddit, w.window, w.windowStartMs)),
    );
    const deleteWindows = this.droppedKeys.filter((key) => !upserted.has(key));
    this.droppedKeys = [];
    return { emissions, upsertWindows, deleteWindows };
  }

  /**
   * Removes a dropped window from state (and the checkpoint), archiving it
   * whole, its author set included: rebuilt from counted events it could
   * take authors whose events were too late for it.
   */
  private remove(state: WindowState): void {
    this.windows.delete(state.key);
    this.droppedKeys.push(state.key);
    this.archive?.closeWindow({ ...snapshotOf(state), aggregate: state.aggregate.toJSON() });
  }

  /**
   * Brings back an archived window so a late lane can add to it, as it was
   * archived. It is not changed yet, so nothing is emitted unless an event
   * is added (and if none is, the next advance drops it again).
   */
  reopen(snapshot: WindowSnapshot): void {
    this.restore(snapshot);
  }

  /** Takes back a checkpointed window (skipped when its spec is no longer configured). */
  restore(snapshot: WindowSnapshot): void {
    const spec = this.specs.find((s) => s.name === snapshot.window);
    if (!spec) return;
    const key = windowKey(snapshot.subreddit, spec.name, snapshot.windowStartMs);
    this.windows.set(key, {
      key,
      subreddit: snapshot.subreddit,
      spec,
      windowStartMs: snapshot.windowStartMs,
      windowEndMs: windowEnd(spec, snapshot.windowStartMs),
      aggregate: WindowAggregate.fromJSON(snapshot.aggregate),
      lanes: snapshot.lanes ?? [LIVE_LANE],
      finalEmitted: snapshot.finalEmitted,
      dropped: false,
    });
  }

  /**
   * True while some window of `subreddit` overlapping [fromMs, toMs) is held:
   * open, or dropped but not yet drained (and archived). Its counted events
   * must stay remembered until then, or a late lane could add one of them to
   * it a second time.
   */
  isOpen(subreddit: string, fromMs: number, toMs: number): boolean {
    for (const spec of this.specs) {
      const slide = slideOf(spec);
      for (let start = floorTo(fromMs, slide) - spec.sizeMs + slide; start < toMs; start += slide) {
        if (this.windows.has(windowKey(subreddit, spec.name, start))) return true;
      }
    }
    return false;
  }

  /**
   * Puts a counted event's author back into the restored windows it falls in.
   * Every window still in state has all its events in the seen rows (they are
   * kept until no window they fall in can change), and a window an event was
   * too late for was dropped before the checkpoint, so this rebuilds exactly
   * the author sets that were counted; the sketch is a function of the set of
   * names, so the order does not matter.
   */
  restoreAuthor(subreddit: string, author: string, eventTimeMs: number): void {
    for (const spec of this.specs) {
      for (const windowStartMs of assignWindows(spec, eventTimeMs)) {
        this.windows
          .get(windowKey(subreddit, spec.name, windowStartMs))
          ?.aggregate.authors.add(author);
      }
    }
  }
}

function resultOf(
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

/** A window is judged by the slowest of the lanes it holds. */
function windowWatermark(state: WindowState, watermarkOf: (lane: string) => number): number {
  let watermark = Number.POSITIVE_INFINITY;
  for (const lane of state.lanes) watermark = Math.min(watermark, watermarkOf(lane));
  return watermark;
}

function snapshotOf(state: WindowState): WindowSnapshot {
  return {
    subreddit: state.subreddit,
    window: state.spec.name,
    windowStartMs: state.windowStartMs,
    finalEmitted: state.finalEmitted,
    lanes: state.lanes,
    aggregate: state.aggregate.toCountsJSON(),
  };
}
