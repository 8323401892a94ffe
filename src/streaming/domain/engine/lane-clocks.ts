import { LIVE_LANE } from './window-event';

/** One lane's progress as checkpointed. */
export interface LaneSnapshot {
  readonly lane: string;
  readonly maxEventTimeMs: number;
  /** Per subreddit, the stretches of event time the lane has carried: [from, to, from, to, ...]. */
  readonly ranges: Readonly<Record<string, readonly number[]>>;
  /** See LaneState.allSubreddits. */
  readonly allSubreddits?: boolean;
  /** The lane's stream(s) published their last event: see `end` and `resume`. */
  readonly ended?: boolean;
  /**
   * The merge horizon in force when the lane began: the windows it closes
   * within it are archived (ClosedWindows). Absent: a lane from before the
   * archive, or with it off; the windows it closed may not be archived.
   */
  readonly archiveHorizonMs?: number;
  /** See LaneState.closedThroughMs. */
  readonly closedThroughMs?: number;
}

/** Who may have closed a window a lane reaches but does not find held. */
export const CLOSED_BY_NONE = 0;
/** Other lanes did, and they archive what they close: the archive says whether. */
export const CLOSED_BY_ARCHIVING = 1;
/** Another lane may have, and may not have archived it: the window cannot be rebuilt. */
export const CLOSED_UNRECOVERABLY = 2;
export type ClosedBy =
  typeof CLOSED_BY_NONE | typeof CLOSED_BY_ARCHIVING | typeof CLOSED_UNRECOVERABLY;

/**
 * Events of one lane less than this apart count as one stretch of time: a
 * window between them may have been held. Wider, the stretches are fewer
 * (smaller checkpoints) but a backfill may be refused windows no lane held.
 */
const STRETCH_GAP_MS = 3_600_000;

interface LaneState {
  maxEventTimeMs: number;
  /** Per subreddit, sorted disjoint stretches [from, to, from, to, ...]. */
  readonly ranges: Map<string, number[]>;
  /**
   * Restored from a checkpoint written before lanes: which subreddits it
   * carried is unknown, so it counts as having carried all of them.
   */
  readonly allSubreddits: boolean;
  ended: boolean;
  readonly archiveHorizonMs: number | null;
  /**
   * The lane's highest event time when it last ended: it closed every window
   * it held, so after it reopens (`resume`) its own windows up to here may
   * be archived rather than never held.
   */
  closedThroughMs: number | null;
}

/**
 * Event-time lanes of one partition. History replayed next to a live stream
 * must be judged by its own progress through time: judged by the live
 * watermark, a dump from two years ago would be entirely "too late". So every
 * backfill travels in a lane of its own (the replay stream's id) and live
 * streams share one, and each lane has its own watermark here: its highest
 * event time minus the out-of-orderness. Like the partition watermark it
 * replaces, a lane's watermark is a function of the partition's messages in
 * offset order, so replays after a crash decide exactly as the first run.
 *
 * A window may hold events of several lanes; it is final once every lane it
 * holds has passed its end, and dropped once every one has passed its end
 * plus the allowed lateness (see OpenWindows). A lane that reaches a window
 * which another lane has already dropped cannot rebuild it (the stored row
 * would be replaced by a partial count); such windows are archived and
 * reopened (ClosedWindows), and `closedBy` tells the engine whether the
 * archive can answer for a window, or whether an event reaching it must be
 * refused as too late, visibly.
 */
export class LaneClocks {
  private readonly lanes = new Map<string, LaneState>();
  private readonly changed = new Set<string>();
  /** The highest event time of any lane. */
  private newestMs = Number.NEGATIVE_INFINITY;

  /** `archiveHorizonMs` 0: new lanes do not archive what they close. */
  constructor(
    private readonly outOfOrdernessMs: number,
    private readonly archiveHorizonMs = 0,
  ) {}

  /** The lane's watermark as it stands (-Infinity before its first event). */
  watermark(lane: string): number {
    const state = this.lanes.get(lane);
    if (!state) return Number.NEGATIVE_INFINITY;
    return state.ended ? Number.POSITIVE_INFINITY : state.maxEventTimeMs - this.outOfOrdernessMs;
  }

  maxEventTime(lane: string): number | null {
    return this.lanes.get(lane)?.maxEventTimeMs ?? null;
  }

  /**
   * The highest event time the lane had carried when it last ended: every
   * window through it was closed then, whatever came after (-Infinity if it
   * never ended).
   */
  closedThrough(lane: string): number {
    return this.lanes.get(lane)?.closedThroughMs ?? Number.NEGATIVE_INFINITY;
  }

  /** Records an event of `lane` (after it was judged). */
  observe(lane: string, subreddit: string, eventTimeMs: number): void {
    let state = this.lanes.get(lane);
    if (!state) {
      state = {
        maxEventTimeMs: eventTimeMs,
        ranges: new Map(),
        allSubreddits: false,
        ended: false,
        archiveHorizonMs: this.archiveHorizonMs > 0 ? this.archiveHorizonMs : null,
        closedThroughMs: null,
      };
      this.lanes.set(lane, state);
      this.changed.add(lane);
    }
    if (eventTimeMs > this.newestMs) this.newestMs = eventTimeMs;
    if (eventTimeMs > state.maxEventTimeMs) {
      state.maxEventTimeMs = eventTimeMs;
      this.changed.add(lane);
    }
    let ranges = state.ranges.get(subreddit);
    if (!ranges) {
      ranges = [];
      state.ranges.set(subreddit, ranges);
    }
    if (extendStretches(ranges, eventTimeMs)) this.changed.add(lane);
  }

  /**
   * Whether a lane other than `lane` may have held, and then dropped, the
   * window [windowStartMs, windowEndMs) of `subreddit` (it has carried that
   * subreddit's events in a stretch of time that meets the window, and its
   * watermark has passed the end plus the allowed lateness), or `lane`
   * itself did when it last ended. When every such lane archives what it
   * closes and the window ends within its horizon of the newest event, the
   * archive answers for the window.
   */
  closedBy(
    lane: string,
    subreddit: string,
    windowStartMs: number,
    windowEndMs: number,
    allowedLatenessMs: number,
  ): ClosedBy {
    let closedBy: ClosedBy = CLOSED_BY_NONE;
    for (const [other, state] of this.lanes) {
      // No lane held a window that starts after its newest event.
      if (windowStartMs > state.maxEventTimeMs) continue;
      if (other === lane) {
        // Its own windows it closed by ending (see resume); those it passed
        // in the ordinary way its own watermark refuses before this is asked.
        if (state.closedThroughMs === null || windowStartMs > state.closedThroughMs) continue;
      } else if (this.watermark(other) < windowEndMs + allowedLatenessMs) continue;
      if (!state.allSubreddits) {
        const ranges = state.ranges.get(subreddit);
        if (!ranges || !meets(ranges, windowStartMs, windowEndMs)) continue;
      }
      if (state.archiveHorizonMs === null || windowEndMs < this.newestMs - state.archiveHorizonMs)
        return CLOSED_UNRECOVERABLY;
      closedBy = CLOSED_BY_ARCHIVING;
    }
    return closedBy;
  }

  /**
   * The lanes that have carried `subreddit` (with the stretches of time they
   * did), for finding windows they may have closed: a window a lane held has
   * one of its events inside such a stretch.
   */
  carriers(subreddit: string): LaneCarrier[] {
    const found: LaneCarrier[] = [];
    for (const [lane, state] of this.lanes) {
      const ranges = state.allSubreddits ? null : state.ranges.get(subreddit);
      if (ranges === undefined) continue;
      found.push({
        lane,
        ranges,
        closedThroughMs: state.closedThroughMs,
        maxEventTimeMs: state.maxEventTimeMs,
      });
    }
    return found;
  }

  /** The highest event time any lane has carried (-Infinity before the first). */
  get newestEventTimeMs(): number {
    return this.newestMs;
  }

  /** The longest merge horizon of any lane (0: none archives). */
  get maxArchiveHorizonMs(): number {
    // The configured one too, so it does not change when the first new lane
    // comes: purge lines and reopen floors must agree within a process.
    let horizon = this.archiveHorizonMs;
    for (const state of this.lanes.values()) {
      if (state.archiveHorizonMs !== null && state.archiveHorizonMs > horizon)
        horizon = state.archiveHorizonMs;
    }
    return horizon;
  }

  /**
   * Archived windows starting before this can no longer be reopened: every
   * lane's horizon lies after their end. Null while nothing is archived.
   */
  archivePurgeBeforeMs(longestWindowMs: number): number | null {
    const horizon = this.maxArchiveHorizonMs;
    if (horizon === 0 || !Number.isFinite(this.newestMs)) return null;
    return this.newestMs - horizon - longestWindowMs;
  }

  /**
   * The lane has carried its last event: its watermark moves past every
   * window, so the windows it alone holds become final and leave memory. A
   * backfill lane stays ended (anything it still carried would be too late);
   * the live lane reopens with new live data (`resume`).
   */
  end(lane: string): void {
    const state = this.lanes.get(lane);
    if (!state || state.ended) return;
    state.ended = true;
    state.closedThroughMs = state.maxEventTimeMs;
    this.changed.add(lane);
  }

  /**
   * Reopens an ended lane for more events (the live lane, when live data
   * comes again after the last live stream stopped): its watermark is its
   * own progress again, and windows it closed by ending are reopened from
   * the archive when its events reach them.
   */
  resume(lane: string): void {
    const state = this.lanes.get(lane);
    if (!state?.ended) return;
    state.ended = false;
    this.changed.add(lane);
  }

  /** True when `takeChanged` has something for the checkpoint. */
  get hasChanges(): boolean {
    return this.changed.size > 0;
  }

  /** The lanes changed since the last call, for the checkpoint. */
  takeChanged(): LaneSnapshot[] {
    const taken = [...this.changed].flatMap((lane) => {
      const state = this.lanes.get(lane);
      return state
        ? [
            {
              lane,
              maxEventTimeMs: state.maxEventTimeMs,
              ranges: Object.fromEntries(state.ranges),
              ...(state.allSubreddits ? { allSubreddits: true } : {}),
              ...(state.ended ? { ended: true } : {}),
              ...(state.archiveHorizonMs !== null
                ? { archiveHorizonMs: state.archiveHorizonMs }
                : {}),
              ...(state.closedThroughMs !== null ? { closedThroughMs: state.closedThroughMs } : {}),
            },
          ]
        : [];
    });
    this.changed.clear();
    return taken;
  }

  /**
   * Rebuilds the lanes from a checkpoint. `liveMaxEventTimeMs` is the live
   * lane's progress as every checkpoint has stored it; a checkpoint from
   * before lanes has no lane items, and its live lane then counts as having
   * carried every subreddit.
   */
  restoreAll(liveMaxEventTimeMs: number | null, snapshots: readonly LaneSnapshot[]): void {
    this.lanes.clear();
    this.changed.clear();
    this.newestMs = liveMaxEventTimeMs ?? Number.NEGATIVE_INFINITY;
    for (const snapshot of snapshots) {
      this.lanes.set(snapshot.lane, {
        maxEventTimeMs: snapshot.maxEventTimeMs,
        ranges: new Map(Object.entries(snapshot.ranges).map(([sub, r]) => [sub, [...r]])),
        allSubreddits: snapshot.allSubreddits === true,
        ended: snapshot.ended === true,
        // With the archive off, nothing a lane closes from now on is
        // archived: it cannot answer for this lane's windows any more.
        archiveHorizonMs: this.archiveHorizonMs > 0 ? (snapshot.archiveHorizonMs ?? null) : null,
        closedThroughMs: snapshot.closedThroughMs ?? null,
      });
      if (this.archiveHorizonMs === 0 && snapshot.archiveHorizonMs !== undefined)
        this.changed.add(snapshot.lane);
      if (snapshot.maxEventTimeMs > this.newestMs) this.newestMs = snapshot.maxEventTimeMs;
    }
    if (liveMaxEventTimeMs !== null && !this.lanes.has(LIVE_LANE)) {
      this.lanes.set(LIVE_LANE, {
        maxEventTimeMs: liveMaxEventTimeMs,
        ranges: new Map(),
        allSubreddits: true,
        ended: false,
        archiveHorizonMs: null,
        closedThroughMs: null,
      });
      this.changed.add(LIVE_LANE);
    }
  }
}

/** A lane that has carried a subreddit (see LaneClocks.carriers). */
export interface LaneCarrier {
  readonly lane: string;
  /** Its stretches of event time; null: a lane from before lanes, counted as carrying everything. */
  readonly ranges: readonly number[] | null;
  /** See LaneState.closedThroughMs. */
  readonly closedThroughMs: number | null;
  readonly maxEventTimeMs: number;
}

/** Whether a carrier may have held (and so closed) the window [startMs, endMs). */
export function mayHaveHeld(carrier: LaneCarrier, startMs: number, endMs: number): boolean {
  if (startMs > carrier.maxEventTimeMs) return false;
  return carrier.ranges === null || meets(carrier.ranges, startMs, endMs);
}

/** Adds `t` to sorted stretches, merging those closer than the gap; true when they changed. */
function extendStretches(ranges: number[], t: number): boolean {
  // Most events fall in or just after the latest stretch.
  const n = ranges.length;
  if (n >= 2 && t >= (ranges[n - 2] ?? 0)) {
    const to = ranges[n - 1] ?? 0;
    if (t <= to) return false;
    if (t - to <= STRETCH_GAP_MS) {
      ranges[n - 1] = t;
      return true;
    }
    ranges.push(t, t);
    return true;
  }
  let i = 0;
  while (i < n && (ranges[i] ?? 0) <= t) i += 2;
  // Stretch i - 2 starts at or before t; stretch i starts after it.
  const before = i - 2;
  if (before >= 0 && t <= (ranges[before + 1] ?? 0)) return false;
  if (before >= 0 && t - (ranges[before + 1] ?? 0) <= STRETCH_GAP_MS) ranges[before + 1] = t;
  else if (i < n && (ranges[i] ?? 0) - t <= STRETCH_GAP_MS) ranges[i] = t;
  else ranges.splice(i, 0, t, t);
  // Join neighbours the new time brought within the gap.
  for (let j = 0; j + 2 < ranges.length;) {
    if ((ranges[j + 2] ?? 0) - (ranges[j + 1] ?? 0) <= STRETCH_GAP_MS) {
      ranges[j + 1] = Math.max(ranges[j + 1] ?? 0, ranges[j + 3] ?? 0);
      ranges.splice(j + 2, 2);
    } else j += 2;
  }
  return true;
}

/** True when some stretch [from, to] has an instant in [startMs, endMs). */
function meets(ranges: readonly number[], startMs: number, endMs: number): boolean {
  for (let i = 0; i < ranges.length; i += 2) {
    if ((ranges[i] ?? 0) < endMs && (ranges[i + 1] ?? 0) >= startMs) return true;
  }
  return false;
}
