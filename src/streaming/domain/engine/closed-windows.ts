import { type SeenEntry, type WindowSnapshot } from './checkpoint-delta';
import { floorTo, windowKey } from '@app/common/window-spec';

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
 * that horizon, a window missing from the archive was never closed by a lane
 * that archives (one started with the archive on), and may be opened afresh; beyond it, a lane reaching a
 * window another lane closed is refused as too late, visibly (LaneClocks).
 * Both the horizon and what the archive holds are functions of the
 * partition's messages, so a replay after a crash decides as the first run.
 *
 * This class holds what was closed here and is not yet known to be stored:
 * pending until the next drain hands it to a checkpoint, then until that
 * checkpoint is confirmed. Lookups see it before the stored archive.
 */

/**
 * The span of event time counted events are grouped by (CountedEvents) and
 * archived in: a reopened window brings back whole buckets of its span.
 */
export const SEEN_BUCKET_MS = 60_000;

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
  /**
   * The archive may drop windows starting before this, and the events of
   * days before its day: none of them can be reopened any more.
   */
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

const HOUR_MS = 3_600_000;

export const seenBucketKey = (b: Pick<ClosedSeenBucket, 'subreddit' | 'minuteMs' | 'lane'>) =>
  `${b.subreddit}\u0000${b.minuteMs}\u0000${b.lane}`;

/** The same minute's events from two closings, each fullname once. */
export function unionOf(older: ClosedSeenBucket, newer: ClosedSeenBucket): ClosedSeenBucket {
  const names = new Set(newer.entries.map(([fullname]) => fullname));
  const extra = older.entries.filter(([fullname]) => !names.has(fullname));
  return extra.length === 0 ? newer : { ...newer, entries: [...newer.entries, ...extra] };
}

export class ClosedWindows {
  private readonly windows = new Map<string, Held<WindowSnapshot>>();
  private readonly seen = new Map<string, Held<ClosedSeenBucket>>();
  private drains = 0;
  private purgedBeforeMs = Number.NEGATIVE_INFINITY;
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

  /** A minute's events closed again while an earlier closing is held: both parts count. */
  closeSeen(bucket: ClosedSeenBucket): void {
    const key = seenBucketKey(bucket);
    const held = this.seen.get(key);
    const item = held ? unionOf(held.item, bucket) : bucket;
    this.seen.set(key, { item, drainedAt: null });
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

  /**
   * What was closed since the last drain, the number of this drain for
   * `confirm`, and the purge line when it has moved to a later hour since the
   * last one handed out (each purge is a range tombstone in the store: one
   * an hour, not one a checkpoint). When the store purges does not change
   * what is reopened: reopening stops at the horizon, which lies after every
   * purge line.
   */
  drain(purgeLineMs: number | null): ArchiveDelta & { drain: number } {
    let purgeBeforeMs: number | null = null;
    if (purgeLineMs !== null) {
      const line = floorTo(purgeLineMs, HOUR_MS);
      if (line > this.purgedBeforeMs) {
        this.purgedBeforeMs = line;
        purgeBeforeMs = line;
      }
    }
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
    return { windows, seen, purgeBeforeMs, drain };
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
