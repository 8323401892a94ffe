import { labelFor } from '@app/nlp/domain/sentiment';
import {
  type CheckpointDelta,
  type EngineInput,
  type LaneSnapshot,
  type PartitionState,
  type SeenRow,
  windowKey,
  type WindowSnapshot,
} from '@app/streaming/domain/engine';

export const MINUTE = 60_000;
export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

/** An event; a given sentiment score gets VADER's ±0.05 label and the model "vader" unless they are given too. */
export function event(overrides: Partial<EngineInput> & { fullname: string }): EngineInput {
  const sentiment = overrides.sentiment ?? null;
  return {
    subreddit: 'askreddit',
    kind: 'comment',
    eventTimeMs: T0,
    author: 'alice',
    score: 1,
    sentiment,
    sentimentLabel: sentiment === null ? null : labelFor(sentiment),
    sentimentModel: sentiment === null ? null : 'vader',
    keywords: [],
    mentions: [],
    ...overrides,
  };
}

/** A checkpoint store in memory: applies deltas the way the Cassandra adapter does (a JSON round trip included). */
export class MemoryCheckpoint {
  maxEventTimeMs: number | null = null;
  readonly windows = new Map<string, WindowSnapshot>();
  readonly seen = new Map<number, SeenRow>();
  readonly lanes = new Map<string, LaneSnapshot>();

  apply(delta: CheckpointDelta): void {
    const copy = JSON.parse(JSON.stringify(delta)) as CheckpointDelta;
    this.maxEventTimeMs = copy.maxEventTimeMs;
    for (const w of copy.upsertWindows)
      this.windows.set(windowKey(w.subreddit, w.window, w.windowStartMs), w);
    for (const key of copy.deleteWindows) this.windows.delete(key);
    for (const row of copy.appendSeen) this.seen.set(row.seq, row);
    for (const seq of copy.deleteSeen) this.seen.delete(seq);
    for (const lane of copy.upsertLanes ?? []) this.lanes.set(lane.lane, lane);
  }

  state(): PartitionState {
    return {
      maxEventTimeMs: this.maxEventTimeMs,
      windows: [...this.windows.values()],
      seen: [...this.seen.values()].sort((a, b) => a.seq - b.seq),
      lanes: [...this.lanes.values()],
    };
  }
}
