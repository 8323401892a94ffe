import { LIVE_LANE } from './window-event';

/** One lane's progress as checkpointed. */
export interface LaneSnapshot {
  readonly lane: string;
  readonly maxEventTimeMs: number;
  /** Per subreddit, the stretches of event time the lane has carried: [from, to, from, to, ...]. */
  readonly ranges: Readonly<Record<string, readonly number[]>>;
  /** See LaneState.allSubreddits. */
  readonly allSubreddits?: boolean;
  /** The backfill has published all its events: see `end`. */
  readonly ended?: boolean;
}

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
 * would be replaced by a partial count), so `closedByAnotherLane` tells the
 * engine to treat such an event as too late, visibly.
 */
export class LaneClocks {
  private readonly lanes = new Map<string, LaneState>();
  private readonly changed = new Set<string>();

  constructor(private readonly outOfOrdernessMs: number) {}

  /** The lane's watermark as it stands (-Infinity before its first event). */
  watermark(lane: string): number {
    const state = this.lanes.get(lane);
    if (!state) return Number.NEGATIVE_INFINITY;
    return state.ended ? Number.POSITIVE_INFINITY : state.maxEventTimeMs - this.outOfOrdernessMs;
  }

  maxEventTime(lane: string): number | null {
    return this.lanes.get(lane)?.maxEventTimeMs ?? null;
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
      };
      this.lanes.set(lane, state);
      this.changed.add(lane);
    }
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
   * True when a lane other than `lane` may have held, and then dropped, the
   * window [windowStartMs, windowEndMs) of `subreddit`: it has carried that
   * subreddit's events in a stretch of time that meets the window, and its
   * watermark has passed the end plus the allowed lateness.
   */
  closedByAnotherLane(
    lane: string,
    subreddit: string,
    windowStartMs: number,
    windowEndMs: number,
    allowedLatenessMs: number,
  ): boolean {
    for (const [other, state] of this.lanes) {
      if (other === lane) continue;
      if (this.watermark(other) < windowEndMs + allowedLatenessMs) continue;
      if (state.allSubreddits) return true;
      const ranges = state.ranges.get(subreddit);
      if (ranges && meets(ranges, windowStartMs, windowEndMs)) return true;
    }
    return false;
  }

  /**
   * The lane has carried its last event: its watermark moves past every
   * window, so the windows it alone holds become final and leave memory, and
   * anything it still carried later would be too late.
   */
  end(lane: string): void {
    const state = this.lanes.get(lane);
    if (!state || state.ended) return;
    state.ended = true;
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
    for (const snapshot of snapshots) {
      this.lanes.set(snapshot.lane, {
        maxEventTimeMs: snapshot.maxEventTimeMs,
        ranges: new Map(Object.entries(snapshot.ranges).map(([sub, r]) => [sub, [...r]])),
        allSubreddits: snapshot.allSubreddits === true,
        ended: snapshot.ended === true,
      });
    }
    if (liveMaxEventTimeMs !== null && !this.lanes.has(LIVE_LANE)) {
      this.lanes.set(LIVE_LANE, {
        maxEventTimeMs: liveMaxEventTimeMs,
        ranges: new Map(),
        allSubreddits: true,
        ended: false,
      });
      this.changed.add(LIVE_LANE);
    }
  }
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
