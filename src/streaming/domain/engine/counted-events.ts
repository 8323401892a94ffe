import { floorTo } from '@app/common/window-spec';
import { type SeenEntry, type SeenRow } from './checkpoint-delta';
import { type ClosedWindows, SEEN_BUCKET_MS } from './closed-windows';
import { LIVE_LANE } from './window-event';

/** Whether any window of `subreddit` covering some instant of [fromMs, toMs) is still held. */
export type OpenWindowCheck = (subreddit: string, fromMs: number, toMs: number) => boolean;

/**
 * Dedupe for one partition: the fullnames counted in any window that can
 * still change, so a redelivered or duplicated event counts once, whichever
 * lane it arrives in.
 *
 * A fullname is forgotten once its own lane's watermark has moved past every
 * window it can fall in (the caller's horizon: the longest window plus the
 * allowed lateness) and none of those windows is still held (open, or
 * dropped but not yet drained and archived). A window can then only come back by being reopened from the archive
 * (ClosedWindows), and the forgotten events of its span come back with it
 * (`reinstate`) before any event is judged a duplicate or not; a lane reaching
 * a closed window that is not archived is refused (LaneClocks). So forgetting
 * cannot let a duplicate in. The checkpoint keeps the same set as append-only
 * rows (one per drain), each deleted once every entry in it is forgotten, so
 * a checkpoint never rewrites the set.
 */
export class CountedEvents {
  /** fullname -> the row (seq) that holds it. */
  private readonly seen = new Map<string, number>();
  /** Entries by lane, subreddit and event-time minute, so expiry does not scan the whole set. */
  private readonly buckets = new Map<string, Map<number, SeenEntry[]>>();
  /** Counted since the last drain: the next row. */
  private pending: SeenEntry[] = [];
  /** Entries not yet forgotten, per row the checkpoint holds. */
  private readonly remaining = new Map<number, number>();
  private expiredRows: number[] = [];
  private nextSeq = 0;

  /** Where forgotten minutes go to be archived (none: the archive is off). */
  constructor(private readonly archive: ClosedWindows | null = null) {}

  has(fullname: string): boolean {
    return this.seen.has(fullname);
  }

  /** Fullnames remembered. */
  get size(): number {
    return this.seen.size;
  }

  /** True when `drain` has rows to append or delete. */
  get hasPending(): boolean {
    return this.pending.length > 0 || this.expiredRows.length > 0;
  }

  /** Records a newly counted event; the author is kept so a restore can rebuild author sets. */
  add(
    fullname: string,
    eventTimeMs: number,
    subreddit: string,
    author: string,
    lane: string,
  ): void {
    const entry: SeenEntry =
      lane === LIVE_LANE
        ? [fullname, eventTimeMs, subreddit, author]
        : [fullname, eventTimeMs, subreddit, author, lane];
    this.remember(entry, this.nextSeq);
    this.pending.push(entry);
  }

  /**
   * Takes back archived entries (of a window being reopened) as counted
   * again, skipping those still remembered; they are checkpointed anew.
   */
  reinstate(entries: readonly SeenEntry[]): void {
    for (const entry of entries) {
      if (this.seen.has(entry[0])) continue;
      this.remember(entry, this.nextSeq);
      this.pending.push(entry);
    }
  }

  /** The row of events counted since the last drain (if any), and the rows to delete. */
  drain(): { appendSeen: SeenRow[]; deleteSeen: number[] } {
    const appendSeen: SeenRow[] = [];
    if (this.pending.length > 0) {
      let maxEventTimeMs = Number.NEGATIVE_INFINITY;
      for (const [, t] of this.pending) if (t > maxEventTimeMs) maxEventTimeMs = t;
      const seq = this.nextSeq++;
      appendSeen.push({ seq, maxEventTimeMs, entries: this.pending });
      this.pending = [];
    }
    const deleteSeen = this.expiredRows;
    this.expiredRows = [];
    return { appendSeen, deleteSeen };
  }

  /** Takes back a checkpointed row. */
  restore(row: SeenRow): void {
    for (const entry of row.entries) this.remember(entry, row.seq);
    this.nextSeq = Math.max(this.nextSeq, row.seq + 1);
  }

  /**
   * Forgets the fullnames of every lane whose minute lies before that lane's
   * `horizonOf` and whose windows no lane holds open any more.
   */
  expire(horizonOf: (lane: string) => number, isOpen: OpenWindowCheck): void {
    for (const [bucketKey, minutes] of this.buckets) {
      const split = bucketKey.indexOf('\u0000');
      const lane = bucketKey.slice(0, split);
      const subreddit = bucketKey.slice(split + 1);
      const horizon = horizonOf(lane);
      for (const [minute, entries] of minutes) {
        if (minute + SEEN_BUCKET_MS > horizon) continue;
        if (isOpen(subreddit, minute, minute + SEEN_BUCKET_MS)) continue;
        for (const [name] of entries) this.forget(name);
        minutes.delete(minute);
        this.archive?.closeSeen({ subreddit, minuteMs: minute, lane, entries });
      }
      if (minutes.size === 0) this.buckets.delete(bucketKey);
    }
  }

  private remember(entry: SeenEntry, seq: number): void {
    const [fullname, eventTimeMs, subreddit = '', , lane = LIVE_LANE] = entry;
    if (this.seen.has(fullname)) return;
    this.seen.set(fullname, seq);
    this.remaining.set(seq, (this.remaining.get(seq) ?? 0) + 1);
    const bucketKey = `${lane}\u0000${subreddit}`;
    let minutes = this.buckets.get(bucketKey);
    if (!minutes) {
      minutes = new Map();
      this.buckets.set(bucketKey, minutes);
    }
    const minute = floorTo(eventTimeMs, SEEN_BUCKET_MS);
    const bucket = minutes.get(minute);
    if (bucket) bucket.push(entry);
    else minutes.set(minute, [entry]);
  }

  private forget(fullname: string): void {
    const seq = this.seen.get(fullname);
    if (seq === undefined) return;
    this.seen.delete(fullname);
    const left = (this.remaining.get(seq) ?? 1) - 1;
    if (left > 0) {
      this.remaining.set(seq, left);
      return;
    }
    this.remaining.delete(seq);
    // A row not yet drained was never stored: nothing to delete.
    if (seq < this.nextSeq) this.expiredRows.push(seq);
    else this.pending = this.pending.filter(([name]) => this.seen.has(name));
  }
}
