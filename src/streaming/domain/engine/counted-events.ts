import { type SeenEntry, type SeenRow } from './checkpoint-delta';
import { floorTo } from '@app/common/window-spec';

const MINUTE_MS = 60_000;

/**
 * Dedupe for one partition: the fullnames counted in any window that can
 * still change, so a redelivered or duplicated event counts once.
 *
 * A fullname is kept until the watermark has moved past every window it can
 * fall in (the caller's horizon: the longest window plus the allowed
 * lateness); after that no window could take it again, so forgetting it
 * cannot let a duplicate in. The checkpoint keeps the same set as
 * append-only rows (one per drain) deleted whole once every entry has
 * expired, so a checkpoint never rewrites the set.
 */
export class CountedEvents {
  /** fullname -> event time. */
  private readonly seen = new Map<string, number>();
  /** Fullnames by event-time minute, so expiry does not scan the whole set. */
  private readonly byMinute = new Map<number, string[]>();
  /** Counted since the last drain: the next row. */
  private pending: SeenEntry[] = [];
  /** The rows the checkpoint holds, oldest first. */
  private readonly rows: { seq: number; maxEventTimeMs: number }[] = [];
  private expiredRows: number[] = [];
  private nextSeq = 0;

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
  add(fullname: string, eventTimeMs: number, subreddit: string, author: string): void {
    this.remember(fullname, eventTimeMs);
    this.pending.push([fullname, eventTimeMs, subreddit, author]);
  }

  /** The row of events counted since the last drain (if any), and the rows to delete. */
  drain(): { appendSeen: SeenRow[]; deleteSeen: number[] } {
    const appendSeen: SeenRow[] = [];
    if (this.pending.length > 0) {
      let maxEventTimeMs = Number.NEGATIVE_INFINITY;
      for (const [, t] of this.pending) if (t > maxEventTimeMs) maxEventTimeMs = t;
      const row = { seq: this.nextSeq++, maxEventTimeMs, entries: this.pending };
      appendSeen.push(row);
      this.rows.push({ seq: row.seq, maxEventTimeMs });
      this.pending = [];
    }
    const deleteSeen = this.expiredRows;
    this.expiredRows = [];
    return { appendSeen, deleteSeen };
  }

  /** Takes back a checkpointed row. */
  restore(row: SeenRow): void {
    for (const [fullname, t] of row.entries) this.remember(fullname, t);
    this.rows.push({ seq: row.seq, maxEventTimeMs: row.maxEventTimeMs });
    this.nextSeq = Math.max(this.nextSeq, row.seq + 1);
  }

  /** Forgets fullnames older than `horizonMs`, and marks rows wholly older for deletion. */
  expire(horizonMs: number): void {
    for (const [minute, names] of this.byMinute) {
      if (minute + MINUTE_MS > horizonMs) continue;
      for (const name of names) this.seen.delete(name);
      this.byMinute.delete(minute);
    }
    while (this.rows.length > 0 && (this.rows[0]?.maxEventTimeMs ?? 0) < horizonMs) {
      const row = this.rows.shift();
      if (row) this.expiredRows.push(row.seq);
    }
  }

  private remember(fullname: string, eventTimeMs: number): void {
    if (this.seen.has(fullname)) return;
    this.seen.set(fullname, eventTimeMs);
    const minute = floorTo(eventTimeMs, MINUTE_MS);
    const bucket = this.byMinute.get(minute);
    if (bucket) bucket.push(fullname);
    else this.byMinute.set(minute, [fullname]);
  }
}
