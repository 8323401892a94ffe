import { Injectable } from '@nestjs/common';
import { parseOutcomes, type StreamOutcomes } from '@app/events/stream-outcomes';
import { WindowCheckpointStore } from '@app/storage/ports';
import { type PartitionRef, type StateItem } from '@app/storage/records';
import { isTrendStateItem, type TrendStateDelta, type TrendStateItem } from '@app/trends/domain';
import { ClosedWindowArchive } from './closed-window-archive';
import {
  type CheckpointDelta,
  type LaneSnapshot,
  type PartitionState,
  type SeenRow,
  type WindowSnapshot,
  windowKey,
} from './domain/engine';

export interface ClaimedState {
  /** The fencing epoch every save must present. */
  readonly epoch: number;
  /** First offset the state does not cover (null: nothing saved yet). */
  readonly nextOffset: bigint | null;
  readonly state: PartitionState;
  /** What the consumer did with each stream's events so far (see StreamTallies). */
  readonly tallies: readonly [streamId: string, outcomes: StreamOutcomes][];
  /** Trend detection's state (see PartitionTrends). */
  readonly trends: readonly TrendStateItem[];
  readonly items: number;
}

/**
 * The engine's partition state in the checkpoint store: one item per open
 * window and one per row of counted events, so a save writes only what the
 * delta changed, atomically with the offset it covers; the windows it closed
 * go to the archive of closed windows in the same write.
 */
@Injectable()
export class Checkpointer {
  constructor(private readonly store: WindowCheckpointStore) {}

  /** Takes ownership of the partition (fencing out any earlier owner) and reads its state. */
  async claim(ref: PartitionRef, owner: string): Promise<ClaimedState> {
    const checkpoint = await this.store.claim(ref, owner);
    return {
      epoch: checkpoint.epoch,
      nextOffset: checkpoint.nextOffset === null ? null : BigInt(checkpoint.nextOffset),
      state: toPartitionState(checkpoint.maxEventTimeMs, checkpoint.items),
      tallies: checkpoint.items
        .filter((item) => item.kind === 'tally')
        .map((item) => [item.key, parseOutcomes(item.data)]),
      trends: checkpoint.items.filter(isTrendStateItem),
      items: checkpoint.items.length,
    };
  }

  /**
   * Saves `delta`, the stream tallies and the trend state's changes as
   * covering every offset before `nextOffset`; fails if fenced.
   */
  async save(
    ref: PartitionRef,
    epoch: number,
    nextOffset: bigint,
    delta: CheckpointDelta,
    tallies: readonly (readonly [string, StreamOutcomes])[] = [],
    trends: TrendStateDelta | null = null,
  ): Promise<void> {
    const archive = ClosedWindowArchive.writeOf(delta.archive);
    await this.store.save(ref, {
      epoch,
      nextOffset: nextOffset.toString(),
      maxEventTimeMs: delta.maxEventTimeMs,
      upserts: [
        ...delta.upsertWindows.map(windowItem),
        ...delta.appendSeen.map(seenItem),
        ...(delta.upsertLanes ?? []).map((lane): StateItem => ({
          kind: 'lane',
          key: lane.lane,
          data: JSON.stringify(lane),
        })),
        ...tallies.map(([streamId, outcomes]): StateItem => ({
          kind: 'tally',
          key: streamId,
          data: JSON.stringify(outcomes),
        })),
        ...archive.upserts,
        ...(trends?.upserts ?? []),
      ],
      purges: archive.purges,
      deletes: [
        ...delta.deleteWindows.map((key) => ({ kind: 'window' as const, key })),
        ...delta.deleteSeen.map((seq) => ({ kind: 'seen' as const, key: seenKey(seq) })),
        ...(trends?.deletes ?? []),
      ],
    });
  }
}

/** Seen rows sort by sequence number as text. */
const seenKey = (seq: number): string => String(seq).padStart(12, '0');

function windowItem(snapshot: WindowSnapshot): StateItem {
  return {
    kind: 'window',
    key: windowKey(snapshot.subreddit, snapshot.window, snapshot.windowStartMs),
    data: JSON.stringify(snapshot),
  };
}

function seenItem(row: SeenRow): StateItem {
  return { kind: 'seen', key: seenKey(row.seq), data: JSON.stringify(row) };
}

function toPartitionState(
  maxEventTimeMs: number | null,
  items: readonly StateItem[],
): PartitionState {
  const windows: WindowSnapshot[] = [];
  const seen: SeenRow[] = [];
  const lanes: LaneSnapshot[] = [];
  for (const item of items) {
    if (item.kind === 'window') windows.push(JSON.parse(item.data) as WindowSnapshot);
    else if (item.kind === 'seen') seen.push(JSON.parse(item.data) as SeenRow);
    else if (item.kind === 'lane') lanes.push(JSON.parse(item.data) as LaneSnapshot);
  }
  seen.sort((a, b) => a.seq - b.seq);
  return { maxEventTimeMs, windows, seen, lanes };
}
