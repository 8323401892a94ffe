import { type DependencyHealth } from '@app/common/health';
import { type PostRecord, type StreamRecord, type WindowQuery, type WindowRecord } from './records';

/** The operational store of enriched posts (Cassandra), for "latest posts" reads. */
export abstract class PostStore {
  /** Idempotent: writing the same post twice leaves one row. */
  abstract upsertPosts(posts: readonly PostRecord[]): Promise<void>;
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

/** The analytics warehouse (Redshift, or PostgreSQL locally): idempotent batch loads. */
export abstract class Warehouse {
  abstract loadPosts(posts: readonly PostRecord[]): Promise<void>;
  abstract loadWindows(windows: readonly WindowRecord[]): Promise<void>;
  abstract health(): Promise<DependencyHealth>;
}

/** Ingest stream definitions and source checkpoints (Cassandra), so streams survive restarts. */
export abstract class StreamStateStore {
  abstract save(record: StreamRecord): Promise<void>;
  abstract loadAll(): Promise<StreamRecord[]>;
}
