import { type SeenEntry, type WindowSnapshot } from './checkpoint-delta';
import { windowKey } from '@app/common/window-spec';

/**
 * Closed windows, kept so that a lane arriving late can merge into them.
 *
 * A window is dropped from state once every lane it holds has passed its end
 * plus the allowed lateness. A backfill of the last hour, replayed while the
 * live stream runs, then reaches windows the live lane has already dropped.
 * Opening them afresh would replace the stored rows with the backfill's part
 * alone, and refusing them (what happens without this archive) loses the
 * backfill's events. So a dropped window is archived, with the counted
 * events of its span (for dedupe and its author set), in the checkpoint's
 * own store and in the same atomic write that removes it from the
 * checkpoint; a later lane reopens it from there and adds only the events
 * it does not already hold, so the row ends up equal to the union of both
 * inputs, each event once.
 *
 * The archive is bounded in event time: it keeps the windows that end
 * within the merge horizon of the partition's newest event (any lane). Within
 * that horizon, a window missing from the archive was never closed by
 * another lane, and may be opened afresh; beyond it, a lane reaching a
 * window another lane closed is refused as too late, visibly (LaneClocks).
 * Both the horizon and what the archive holds are functions of the
 * partition's messages, so a replay after a crash decides as the first run.
 *
 * This class holds what was closed here and is not yet known to be stored:
 * pending until the next drain hands it to a checkpoint, then until that
 * checkpoint is confirmed. Lookups see it before the stored archive.
 */

/** The counted events of one lane, subreddit and event-time minute, as archived. */
export interface ClosedSeenBucket {
  readonly subreddit: string;
  readonly minuteMs: number;
  readonly lane: string;
  readonly entries: readonly SeenEntry[];
}

/** What a checkpoint adds to the archive, and below which window start it may purge it. */
export interface ArchiveDelta {
  readonly windows: readonly WindowSnapshot[];
  readonly seen: readonly ClosedSeenBucket[];
  /** Archived windows starting before this (and their events) can no longer be reopened. */
  readonly purgeBeforeMs: number | null;
}

/** A closed window a batch may need to reopen. */
export interface ArchiveLookup {
  readonly subreddit: string;
  readonly window: string;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
}

/** What the stored archive holds for a batch's lookups. */
export interface ArchivedState {
  /** By `windowKey`: the windows found. */
  readonly windows: ReadonlyMap<string, WindowSnapshot>;
  /** The counted events of the found windows' subreddits and spans. */
  readonly seen: readonly ClosedSeenBucket[];
}

export const NOTHING_ARCHIVED: ArchivedState = { windows: new Map(), seen: [] };

interface Held<T> {
  readonly item: T;
  /** The drain that handed it to a checkpoint (null: not yet drained). */
  drainedAt: number | null;
}

const seenBucketKey = (b: Pick<ClosedSeenBucket, 'subreddit' | 'minuteMs' | 'lane'>) =>
  `${b.subreddit}\u0000${b.minuteMs}\u0000${b.lane}`;

export class ClosedWindows {
  private readonly windows = new Map<string, Held<WindowSnapshot>>();
  private readonly seen = new Map<string, Held<ClosedSeenBucket>>();
  private drains = 0;
  private confirmed = 0;
  private settled = 0;
  private pending = 0;

  closeWindow(snapshot: WindowSnapshot): void {
    this.windows.set(windowKey(snapshot.subreddit, snapshot.window, snapshot.windowStartMs), {
      item: snapshot,
      drainedAt: null,
    });
    this.pending++;
  }

  closeSeen(bucket: ClosedSeenBucket): void {
    this.seen.set(seenBucketKey(bucket), { item: bucket, drainedAt: null });
    this.pending++;
  }

  window(key: string): WindowSnapshot | undefined {
    return this.windows.get(key)?.item;
  }

  /** The held buckets of `subreddit` with a minute in [fromMs, toMs). */
  seenIn(subreddit: string, fromMs: number, toMs: number): ClosedSeenBucket[] {
    const found: ClosedSeenBucket[] = [];
    for (const { item } of this.seen.values()) {
      if (item.subreddit === subreddit && item.minuteMs >= fromMs && item.minuteMs < toMs)
        found.push(item);
    }
    return found;
  }

  get hasPending(): boolean {
    return this.pending > 0;
  }

  /** What was closed since the last drain, and the number of this drain for `confirm`. */
  drain(): { windows: WindowSnapshot[]; seen: ClosedSeenBucket[]; drain: number } {
    const drain = ++this.drains;
    const windows: WindowSnapshot[] = [];
    const seen: ClosedSeenBucket[] = [];
    for (const held of this.windows.values()) {
      if (held.drainedAt !== null) continue;
      held.drainedAt = drain;
      windows.push(held.item);
    }
    for (const held of this.seen.values()) {
      if (held.drainedAt !== null) continue;
      held.drainedAt = drain;
      seen.push(held.item);
    }
    this.pending = 0;
    return { windows, seen, drain };
  }

  /**
   * A checkpoint covering every drain up to `drain` is stored: the store
   * answers for them from the next `settle` on. Not at once: a batch may be
   * between deciding what to fetch (without what is held here) and being
   * judged, and the store read may have missed this checkpoint.
   */
  confirm(drain: number): void {
    if (drain > this.confirmed) this.confirmed = drain;
  }

  /** Lets go of what confirmed checkpoints hold; call before a batch decides what to fetch. */
  settle(): void {
    if (this.settled === this.confirmed) return;
    this.settled = this.confirmed;
    for (const map of [this.windows, this.seen] as Map<string, Held<unknown>>[]) {
      for (const [key, held] of map) {
        if (held.drainedAt !== null && held.drainedAt <= this.confirmed) map.delete(key);
      }
    }
  }
}
