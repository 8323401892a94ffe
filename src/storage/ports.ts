import { type DependencyHealth } from '@app/common/health';
import {
  type CheckpointWrite,
  type LatestPostsQuery,
  type PartitionCheckpoint,
  type PartitionRef,
  type PostRecord,
  type StateItem,
  type StreamRecord,
  type TrendQuery,
  type TrendRecord,
  type WindowQuery,
  type WindowRecord,
} from './records';

/** The operational store of enriched posts (Cassandra), for "latest posts" reads. */
export abstract class PostStore {
  /** Idempotent: writing the same post twice leaves one row. */
  abstract upsertPosts(posts: readonly PostRecord[]): Promise<void>;
  /** Newest first, created strictly before `beforeMs`, looking back at most `maxDays` UTC days. */
  abstract findLatest(query: LatestPostsQuery): Promise<PostRecord[]>;
}

/** The operational store of window results (Cassandra), read by the API. */
export abstract class WindowStore {
  /** Idempotent upsert keyed by (subreddit, window, windowStart). */
  abstract upsertWindows(windows: readonly WindowRecord[]): Promise<void>;
  abstract findWindows(query: WindowQuery): Promise<WindowRecord[]>;
  abstract getWindows(
    keys: readonly { subreddit: string; window: string; windowStartMs: number }[],
  ): Promise<WindowRecord[]>;
  abstract health(): Promise<DependencyHealth>;
}

/** The operational store of trend findings (Cassandra), read by the API. */
export abstract class TrendStore {
  /** Idempotent upsert keyed by (scope, kind, term, lane, minute). */
  abstract upsertTrends(trends: readonly TrendRecord[]): Promise<void>;
  /** Every finding of a minute in [fromMs, toMs), any scope. */
  abstract findTrends(query: TrendQuery): Promise<TrendRecord[]>;
}

/** The analytics warehouse (Redshift, or PostgreSQL locally): idempotent batch loads. */
export abstract class Warehouse {
  abstract loadPosts(posts: readonly PostRecord[]): Promise<void>;
  abstract loadWindows(windows: readonly WindowRecord[]): Promise<void>;
  abstract loadTrends(trends: readonly TrendRecord[]): Promise<void>;
  abstract health(): Promise<DependencyHealth>;
}

/** Ingest stream definitions and source checkpoints (Cassandra), so streams survive restarts. */
export abstract class IngestStreamStore {
  abstract save(record: StreamRecord): Promise<void>;
  abstract loadAll(): Promise<StreamRecord[]>;
}

/**
 * Durable streaming state per consumed Kafka partition (window aggregates,
 * counted fullnames, watermark, next offset), fenced so that only the
 * partition's current owner can write it.
 */
export abstract class WindowCheckpointStore {
  /**
   * Takes ownership of the partition's state (a new epoch, which fences out
   * any earlier owner) and returns the state as last saved.
   */
  abstract claim(ref: PartitionRef, owner: string): Promise<PartitionCheckpoint>;
  /**
   * Applies a change atomically, only while `write.epoch` is still the
   * partition's epoch; otherwise throws `CheckpointFencedError` and changes nothing.
   */
  abstract save(ref: PartitionRef, write: CheckpointWrite): Promise<void>;
  /** The partition's items of one kind as last saved, without claiming it (for status reads). */
  abstract readItems(ref: PartitionRef, kind: StateItem['kind']): Promise<StateItem[]>;
  /** The items of one kind with these keys (those that exist). */
  abstract readItemsByKey(
    ref: PartitionRef,
    kind: StateItem['kind'],
    keys: readonly string[],
  ): Promise<StateItem[]>;
  /** The items of one kind with a key in [fromKey, toKey). */
  abstract readItemRange(
    ref: PartitionRef,
    kind: StateItem['kind'],
    fromKey: string,
    toKey: string,
  ): Promise<StateItem[]>;
}

/** Another consumer claimed the partition since this one did: its writes must stop. */
export class CheckpointFencedError extends Error {
  readonly code = 'STATE_FENCED';
  constructor(ref: PartitionRef, epoch: number) {
    super(
      `streaming state of ${ref.topic}/${ref.partition} was claimed by another consumer (our epoch ${epoch})`,
    );
    this.name = 'CheckpointFencedError';
  }
}
