import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { WindowCheckpointStore } from '@app/storage/ports';
import { floorTo } from '@app/common/window-spec';
import {
  type CheckpointWrite,
  DAY_MS,
  type PartitionRef,
  type StateItem,
} from '@app/storage/records';
import {
  type ArchiveDelta,
  type ArchivedState,
  type ArchiveLookup,
  type ClosedSeenBucket,
  NOTHING_ARCHIVED,
  SEEN_BUCKET_MS,
  type WindowSnapshot,
  windowKey,
} from './domain/engine';

/** Keys per IN list: a batch of a backfill can reach hundreds of windows. */
const KEYS_PER_READ = 100;
const SEP = '\u0000';

/** Times sort as text once padded (event times are positive). */
const pad = (ms: number): string => String(Math.max(0, Math.floor(ms))).padStart(15, '0');
const dayOf = (ms: number): number => floorTo(ms, DAY_MS);

/**
 * The archive of closed windows (see ClosedWindows) in the checkpoint store,
 * in the partition's own rows, so it is written in the same atomic, fenced
 * write as the checkpoint that drops the windows, and purged there by range.
 *
 * Keys start with time so that a purge is one range per kind: a closed
 * window by its start; the counted events of a minute by their day, then
 * subreddit, minute and lane, so the events of one window's span are one
 * range per day it covers. A claim never reads these kinds.
 */
@Injectable()
export class ClosedWindowArchive {
  constructor(private readonly store: WindowCheckpointStore) {}

  /** The items and purges a checkpoint write carries for `delta`. */
  static writeOf(delta: ArchiveDelta | undefined): Pick<CheckpointWrite, 'upserts' | 'purges'> {
    if (!delta) return { upserts: [], purges: [] };
    const upserts: StateItem[] = [
      ...delta.windows.map((w) => ({
        kind: 'closed-window' as const,
        key: closedWindowKey(w.subreddit, w.window, w.windowStartMs),
        data: JSON.stringify(w),
      })),
      ...delta.seen.map((b) => ({
        kind: 'closed-seen' as const,
        key: closedSeenKey(b),
        data: JSON.stringify(b),
      })),
    ];
    const purges =
      delta.purgeBeforeMs === null
        ? []
        : [
            { kind: 'closed-window' as const, beforeKey: pad(delta.purgeBeforeMs) },
            { kind: 'closed-seen' as const, beforeKey: pad(dayOf(delta.purgeBeforeMs)) },
          ];
    return { upserts, purges };
  }

  /** What the archive holds for a batch's lookups: the windows, and the events of their spans. */
  async read(ref: PartitionRef, lookups: readonly ArchiveLookup[]): Promise<ArchivedState> {
    if (lookups.length === 0) return NOTHING_ARCHIVED;
    const keys = lookups.map((l) => closedWindowKey(l.subreddit, l.window, l.windowStartMs));
    const chunks: string[][] = [];
    for (let i = 0; i < keys.length; i += KEYS_PER_READ)
      chunks.push(keys.slice(i, i + KEYS_PER_READ));
    const items = (
      await Promise.all(
        chunks.map((chunk) => this.store.readItemsByKey(ref, 'closed-window', chunk)),
      )
    ).flat();
    if (items.length === 0) return NOTHING_ARCHIVED;
    const windows = new Map<string, WindowSnapshot>();
    for (const item of items) {
      const snapshot = JSON.parse(item.data) as WindowSnapshot;
      windows.set(windowKey(snapshot.subreddit, snapshot.window, snapshot.windowStartMs), snapshot);
    }
    const lookupOf = new Map(
      lookups.map((l) => [windowKey(l.subreddit, l.window, l.windowStartMs), l]),
    );
    const ranges = new Map<string, [string, string]>();
    for (const key of windows.keys()) {
      const lookup = lookupOf.get(key);
      if (!lookup) continue;
      const from = floorTo(lookup.windowStartMs, SEEN_BUCKET_MS);
      for (let day = dayOf(from); day < lookup.windowEndMs; day += DAY_MS) {
        const prefix = `${pad(day)}${SEP}${lookup.subreddit}${SEP}`;
        const range: [string, string] = [
          prefix + pad(Math.max(from, day)),
          prefix + pad(Math.min(lookup.windowEndMs, day + DAY_MS)),
        ];
        ranges.set(range.join(SEP), range);
      }
    }
    const seenItems = await Promise.all(
      [...ranges.values()].map(([from, to]) =>
        this.store.readItemRange(ref, 'closed-seen', from, to),
      ),
    );
    const seen = new Map<string, ClosedSeenBucket>();
    for (const item of seenItems.flat())
      seen.set(item.key, JSON.parse(item.data) as ClosedSeenBucket);
    return { windows, seen: [...seen.values()] };
  }
}

function closedWindowKey(subreddit: string, window: string, windowStartMs: number): string {
  return `${pad(windowStartMs)}${SEP}${windowKey(subreddit, window, windowStartMs)}`;
}

/**
 * Named by its content too: a restore brings back the counted events of the
 * checkpoint's seen rows, which may be only part of a minute already
 * archived, and archiving that part again must add to the minute, not
 * replace it (a reopen takes the union).
 */
function closedSeenKey(b: ClosedSeenBucket): string {
  const names = b.entries.map(([fullname]) => fullname).sort();
  const digest = createHash('sha1').update(names.join('\n')).digest('base64url').slice(0, 16);
  return [pad(dayOf(b.minuteMs)), b.subreddit, pad(b.minuteMs), b.lane, digest].join(SEP);
}
