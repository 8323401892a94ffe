import { createHash } from 'node:crypto';
import { type EventKind, type EventSourceKind, subredditKey } from './reddit-event';

export interface StreamDefinition {
  readonly id: string;
  readonly source: EventSourceKind;
  readonly subreddits: readonly string[];
  readonly kinds: readonly EventKind[];
  readonly ratePerSecond: number;
  readonly maxEvents: number | null;
  readonly synthetic?: {
    readonly seed: number;
    readonly startTimeMs: number | null;
    readonly eventIntervalMs: number | null;
  };
}

export type StreamState = 'running' | 'completed' | 'stopped';

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
  });
  return `${definition.source}-${createHash('sha256').update(canonical).digest('hex').slice(0, 12)}`;
}
