import { type RedditEvent } from '@app/events/reddit-event';

/** An item a source could not turn into an event; it goes to the dead-letter topic. */
export interface IngestReject {
  /** Why, in words a user can act on, e.g. "created_utc is missing". */
  readonly reason: string;
  /** The raw item (a JSON text, a dump line), cut to a few KB. */
  readonly raw: string;
  /** Where it came from, e.g. "line 1234 of RC_2024-01.zst" or "GET /r/pics/new". */
  readonly position: string;
}

export interface SourceBatch {
  readonly events: readonly RedditEvent[];
  readonly rejects: readonly IngestReject[];
}

/** What a source reports for the stream's status (all optional). */
export interface SourceStatus {
  /** Unix ms of the last poll or read. */
  readonly lastPollAtMs?: number | null;
  /** Last transient error the source recovered from, if any. */
  readonly lastError?: string | null;
  /** Requests left in the shared Reddit rate-limit window, when known. */
  readonly rateLimitRemaining?: number | null;
  /** Unix ms when the rate-limit window resets, when known. */
  readonly rateLimitResetAtMs?: number | null;
  /** The Reddit access token: how many were fetched, when the last one was, when it expires. */
  readonly token?: {
    readonly fetched: number;
    readonly lastFetchedAtMs: number | null;
    readonly expiresAtMs: number | null;
  };
  /** Free-form progress, e.g. { line: 1234 } for a replay. */
  readonly progress?: Readonly<Record<string, number | string>>;
}

/**
 * A source of normalised events for one stream.
 *
 * The stream runner calls `pull` in a loop, publishes what it returns, and
 * only then calls `checkpoint()` and persists the result. A source rebuilt from
 * that checkpoint after a restart must continue right after the last published
 * batch: no gaps, no duplicates.
 *
 * `selfPaced` sources (Reddit polling, replay at real-time speed) wait inside
 * `pull` as needed and may return an empty batch; others (synthetic) are paced
 * by the runner's `ratePerSecond`.
 */
export interface StreamSource {
  readonly selfPaced: boolean;
  /** Up to `max` events. Resolves early with what it has when `signal` aborts. */
  pull(max: number, signal: AbortSignal): Promise<SourceBatch>;
  /** True once the source will never yield more events. */
  readonly exhausted: boolean;
  /** JSON-serialisable position after everything pulled so far. */
  checkpoint(): unknown;
  status(): SourceStatus;
  /** Releases files, sockets, timers. */
  close(): Promise<void>;
}
