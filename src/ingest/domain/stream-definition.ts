import { createHash } from 'node:crypto';
import { type EventKind, type EventSourceKind, subredditKey } from '@app/events/reddit-event';

export type ReplaySpeed = 'max' | 'realtime' | number;

export interface StreamDefinition {
  readonly id: string;
  readonly source: EventSourceKind;
  /** Lower-cased subreddit names; for a replay, an empty list means every subreddit in the file. */
  readonly subreddits: readonly string[];
  readonly kinds: readonly EventKind[];
  /** Synthetic streams only: events per second. */
  readonly ratePerSecond: number | null;
  readonly maxEvents: number | null;
  readonly synthetic?: {
    readonly seed: number;
    /** Unix ms; null = the moment the stream first started (fixed then, see the service). */
    readonly startTimeMs: number | null;
    readonly eventIntervalMs: number | null;
  };
  readonly replay?: {
    /** File name relative to the configured replay directory. */
    readonly file: string;
    readonly speed: ReplaySpeed;
    /** Unix seconds, inclusive. */
    readonly fromUtc: number | null;
    /** Unix seconds, exclusive. */
    readonly toUtc: number | null;
    /** 1-based line to start at when the stream has no checkpoint yet. */
    readonly startLine: number | null;
  };
}

export const STREAM_STATES = ['running', 'paused', 'completed', 'stopped'] as const;
export type StreamState = (typeof STREAM_STATES)[number];

/**
 * A stream's identity when the caller gives none: the same definition gives the
 * same id, so starting the same stream twice is detected as a conflict.
 */
export function deriveStreamId(definition: Omit<StreamDefinition, 'id'>): string {
  const canonical = JSON.stringify({
    source: definition.source,
    subreddits: [...definition.subreddits].map(subredditKey).sort(),
    kinds: [...definition.kinds].sort(),
    synthetic: definition.synthetic ?? null,
    replay: definition.replay ?? null,
  });
  return `${definition.source}-${createHash('sha256').update(canonical).digest('hex').slice(0, 12)}`;
}
