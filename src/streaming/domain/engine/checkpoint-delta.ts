import { type ArchiveDelta, type ClosedSeenBucket, seenBucketKey, unionOf } from './closed-windows';
import { type LaneSnapshot } from './lane-clocks';
import { type WindowAggregateCountsJSON, type WindowAggregateJSON } from './window-aggregate';
import { windowKey } from '@app/common/window-spec';

/**
 * The checkpoint format of a partition's window state: open windows as
 * snapshots, and the counted events (dedupe) as append-only rows. Each drain
 * yields a delta against the previous one, so a checkpoint writes what
 * changed, not the whole state.
 */

/** One window's state as checkpointed. */
export interface WindowSnapshot {
  readonly subreddit: string;
  readonly window: string;
  readonly windowStartMs: number;
  /** The final result has been emitted (later changes are refires). */
  readonly finalEmitted: boolean;
  /** The lanes whose events it holds (absent in checkpoints from before lanes: the live lane). */
  readonly lanes?: readonly string[];
  /**
   * Written without the author set, which a restore rebuilds from the seen
   * rows (checkpoints written before that carry it).
   */
  readonly aggregate: WindowAggregateCountsJSON | WindowAggregateJSON;
}

/**
 * One counted event, as a checkpoint remembers it: enough for dedupe, and
 * for rebuilding the author sets of the windows it was counted in. (Rows
 * written before authors were kept here have only the first two fields.)
 */
export type SeenEntry = readonly [
  fullname: string,
  eventTimeMs: number,
  subreddit?: string,
  author?: string,
  /** Absent for the live lane. */
  lane?: string,
];

/** Counted events added between two drains. */
export interface SeenRow {
  readonly seq: number;
  readonly maxEventTimeMs: number;
  readonly entries: readonly SeenEntry[];
}

/** Everything needed to rebuild a partition's state. */
export interface PartitionState {
  /** Highest event time seen on the partition (null before any). */
  readonly maxEventTimeMs: number | null;
  readonly windows: readonly WindowSnapshot[];
  readonly seen: readonly SeenRow[];
  /** Absent in checkpoints from before lanes. */
  readonly lanes?: readonly LaneSnapshot[];
}

/** The change to a partition's checkpoint since the previous drain. */
export interface CheckpointDelta {
  readonly maxEventTimeMs: number | null;
  readonly upsertWindows: readonly WindowSnapshot[];
  /** Keys (`windowKey`) of windows dropped from state. */
  readonly deleteWindows: readonly string[];
  readonly appendSeen: readonly SeenRow[];
  /** Seen rows whose fullnames can no longer matter. */
  readonly deleteSeen: readonly number[];
  /** Lanes whose progress changed (none when absent). */
  readonly upsertLanes?: readonly LaneSnapshot[];
  /** Windows closed since the previous drain, for other lanes to reopen (absent: no archive). */
  readonly archive?: ArchiveDelta;
}

/**
 * One delta with the effect of `older` then `newer`, for a caller that drains
 * more often than it checkpoints: the latest snapshot of each window (a
 * window dropped and then reopened from the archive is upserted, not
 * deleted), no seen row that is both added and deleted in between, the
 * latest archived state of each closed window and minute.
 */
export function mergeCheckpointDeltas(
  older: CheckpointDelta,
  newer: CheckpointDelta,
): CheckpointDelta {
  const windows = new Map<string, WindowSnapshot | null>();
  for (const delta of [older, newer]) {
    for (const key of delta.deleteWindows) windows.set(key, null);
    for (const w of delta.upsertWindows)
      windows.set(windowKey(w.subreddit, w.window, w.windowStartMs), w);
  }
  const deletedSeen = new Set([...older.deleteSeen, ...newer.deleteSeen]);
  const appendSeen = [...older.appendSeen, ...newer.appendSeen].filter(
    (row) => !deletedSeen.has(row.seq),
  );
  // A row added and deleted between two checkpoints was never stored: nothing to delete.
  const added = new Set([...older.appendSeen, ...newer.appendSeen].map((row) => row.seq));
  const archive = mergeArchives(older.archive, newer.archive);
  return {
    maxEventTimeMs: newer.maxEventTimeMs ?? older.maxEventTimeMs,
    upsertWindows: [...windows.values()].filter((w): w is WindowSnapshot => w !== null),
    deleteWindows: [...windows].flatMap(([key, w]) => (w === null ? [key] : [])),
    appendSeen,
    deleteSeen: [...deletedSeen].filter((seq) => !added.has(seq)),
    upsertLanes: [
      ...new Map(
        [...(older.upsertLanes ?? []), ...(newer.upsertLanes ?? [])].map((lane) => [
          lane.lane,
          lane,
        ]),
      ).values(),
    ],
    ...(archive ? { archive } : {}),
  };
}

function mergeArchives(
  older: ArchiveDelta | undefined,
  newer: ArchiveDelta | undefined,
): ArchiveDelta | undefined {
  if (!older || !newer) return newer ?? older;
  const windows = new Map<string, WindowSnapshot>();
  for (const w of [...older.windows, ...newer.windows])
    windows.set(windowKey(w.subreddit, w.window, w.windowStartMs), w);
  const seen = new Map<string, ClosedSeenBucket>();
  for (const b of [...older.seen, ...newer.seen]) {
    const key = seenBucketKey(b);
    const earlier = seen.get(key);
    seen.set(key, earlier ? unionOf(earlier, b) : b);
  }
  const purges = [older.purgeBeforeMs, newer.purgeBeforeMs].filter((t) => t !== null);
  return {
    windows: [...windows.values()],
    seen: [...seen.values()],
    purgeBeforeMs: purges.length > 0 ? Math.max(...purges) : null,
  };
}
