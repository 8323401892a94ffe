import {
  type ArchivedState,
  type ArchiveLookup,
  type ClosedWindows,
  SEEN_BUCKET_MS,
} from './closed-windows';
import { type CountedEvents } from './counted-events';
import { type LaneCarrier, type LaneClocks, mayHaveHeld } from './lane-clocks';
import { type OpenWindows } from './open-windows';
import { LIVE_LANE, type WindowEvent } from './window-event';
import {
  assignWindows,
  floorTo,
  type WindowSpec,
  windowEnd,
  windowKey,
} from '@app/common/window-spec';

const longest = (specs: readonly WindowSpec[]): number => Math.max(...specs.map((s) => s.sizeMs));

/** The parts of a partition's state that reopening closed windows reads and changes. */
export interface ReopenState {
  readonly lanes: LaneClocks;
  readonly windows: OpenWindows;
  readonly counted: CountedEvents;
  readonly closed: ClosedWindows | null;
}

/**
 * The closed windows a batch may reopen that are not at hand (held, or
 * closed here and not yet confirmed stored): what the caller reads from the
 * archive before the batch is judged. A superset of what the batch can need,
 * whatever it decides on the way: the engine never waits in the middle of a
 * batch, and a window it needs but was not fetched would be decided
 * differently by a replay that cut the batches elsewhere. A window in the
 * stored archive was closed before this batch by a lane that held it (so
 * one of that lane's stretches meets it), or by this lane when it last
 * ended; what closes during the batch stays at hand in ClosedWindows.
 */
export function archiveLookups(
  { lanes, windows, closed }: ReopenState,
  specs: readonly WindowSpec[],
  inputs: readonly WindowEvent[],
): ArchiveLookup[] {
  if (!closed) return [];
  closed.settle();
  const longestMs = longest(specs);
  const carriersOf = new Map<string, LaneCarrier[]>();
  const lookups = new Map<string, ArchiveLookup>();
  for (const input of inputs) {
    const lane = input.lane ?? LIVE_LANE;
    let carriers = carriersOf.get(input.subreddit);
    if (!carriers) {
      carriers = lanes.carriers(input.subreddit);
      carriersOf.set(input.subreddit, carriers);
    }
    // Another lane that carried the subreddit, or this lane if it closed
    // everything when it last ended. (The usual case, one lane and never
    // ended, costs nothing more.)
    const closers = carriers.filter(
      (c) => c.lane !== lane || (c.closedThroughMs ?? -Infinity) >= input.eventTimeMs - longestMs,
    );
    if (closers.length === 0) continue;
    for (const spec of specs) {
      for (const windowStartMs of assignWindows(spec, input.eventTimeMs)) {
        const windowEndMs = windowEnd(spec, windowStartMs);
        const mayBeClosed = closers.some(
          (c) =>
            (c.lane !== lane || (c.closedThroughMs ?? -Infinity) >= windowStartMs) &&
            mayHaveHeld(c, windowStartMs, windowEndMs),
        );
        if (!mayBeClosed) continue;
        const key = windowKey(input.subreddit, spec.name, windowStartMs);
        if (lookups.has(key) || windows.holds(key) || closed.window(key)) continue;
        lookups.set(key, {
          subreddit: input.subreddit,
          window: spec.name,
          windowStartMs,
          windowEndMs,
        });
      }
    }
  }
  return [...lookups.values()];
}

/**
 * Reopens the closed windows `input` falls in that its lane can still
 * reach, from what is held here or was fetched for the batch: the windows as
 * archived, and the events counted in their span back in the dedupe set (so
 * the caller judges duplicates after this). Only within the archive's horizon as the lanes stand at
 * this event, so whether a window reopens does not depend on when the store
 * purged what lies beyond it. Returns how many it reopened.
 */
export function reopenFor(
  { lanes, windows, counted, closed }: ReopenState,
  options: { readonly specs: readonly WindowSpec[]; readonly allowedLatenessMs: number },
  input: WindowEvent,
  watermarkBefore: number,
  archived: ArchivedState,
): number {
  if (!closed) return 0;
  let reopened = 0;
  const horizonFloor = lanes.newestEventTimeMs - lanes.maxArchiveHorizonMs;
  for (const spec of options.specs) {
    for (const windowStartMs of assignWindows(spec, input.eventTimeMs)) {
      const windowEndMs = windowEnd(spec, windowStartMs);
      if (windowEndMs < horizonFloor) continue;
      if (watermarkBefore >= windowEndMs + options.allowedLatenessMs) continue;
      const key = windowKey(input.subreddit, spec.name, windowStartMs);
      if (windows.holds(key)) continue;
      const snapshot = closed.window(key) ?? archived.windows.get(key);
      if (!snapshot) continue;
      const fromMinute = floorTo(windowStartMs, SEEN_BUCKET_MS);
      const inSpan = (b: { subreddit: string; minuteMs: number }) =>
        b.subreddit === input.subreddit && b.minuteMs >= fromMinute && b.minuteMs < windowEndMs;
      for (const bucket of [
        ...archived.seen.filter(inSpan),
        ...closed.seenIn(input.subreddit, fromMinute, windowEndMs),
      ]) {
        counted.reinstate(bucket.entries);
      }
      windows.reopen(snapshot);
      reopened++;
    }
  }
  return reopened;
}
