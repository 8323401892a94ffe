import { Logger } from '@nestjs/common';
import { type Clock } from '@app/common/clock';
import { type RedditEvent } from '@app/events/reddit-event';
import { LastError } from './domain/last-error';
import { type StreamDefinition, type StreamState } from './domain/stream-definition';
import {
  type IngestReject,
  type SourceBatch,
  type SourceStatus,
  type StreamSource,
} from './sources/stream-source';

/** Where the runner delivers each batch: its events, and the items its source could not normalise. */
export interface RunnerSink {
  publish(events: readonly RedditEvent[]): Promise<void>;
  deadLetter(streamId: string, rejects: readonly IngestReject[]): Promise<void>;
  /** After a stream's last event: lets the consumer close its lane (see EventSink). */
  endOfStream?(definition: StreamDefinition): Promise<void>;
  /** The fullnames of this stream's events already on the topic, sent at or after `sinceMs` (see EventSink). */
  publishedSince?(streamId: string, sinceMs: number): Promise<ReadonlySet<string>>;
}

export interface StreamCounters {
  submissions: number;
  comments: number;
  rejected: number;
  batches: number;
  failedAttempts: number;
}

export const ZERO_COUNTERS: Readonly<StreamCounters> = {
  submissions: 0,
  comments: 0,
  rejected: 0,
  batches: 0,
  failedAttempts: 0,
};

export interface StreamSnapshot {
  readonly definition: StreamDefinition;
  readonly state: StreamState;
  readonly counters: Readonly<StreamCounters>;
  readonly startedAtMs: number;
  readonly stoppedAtMs: number | null;
  readonly lastBatchAtMs: number | null;
  /** The last error's message (kept after recovery; see lastErrorRecoveredAtMs). */
  readonly lastError: string | null;
  readonly lastErrorAtMs: number | null;
  readonly lastErrorRecoveredAtMs: number | null;
  readonly source: SourceStatus;
}

/** What the runner needs from its owner besides the source and the sink. */
export interface StreamRunnerHooks {
  /** After each published batch, for metrics. */
  onPublished(events: readonly RedditEvent[], rejects: readonly IngestReject[]): void;
  /** Durably records the stream's state and the source position after what was published. */
  persist(snapshot: StreamSnapshot, checkpoint: unknown): Promise<void>;
}

export interface RestoredProgress {
  readonly state: StreamState;
  readonly counters: Readonly<StreamCounters>;
  readonly startedAtMs: number;
  readonly stoppedAtMs: number | null;
  readonly lastBatchAtMs: number | null;
  readonly lastError?: string | null;
  /** When this state was saved: everything the stream published after it is past its position. */
  readonly savedAtMs?: number;
}

const IDLE_TICK_MS = 50;
const MAX_RETRY_DELAY_MS = 10_000;
/**
 * Read back from this much before the moment that bounds what may be on the
 * topic already: a clock stepped back by NTP must not hide a message. Reading
 * back more only finds items the source will not give again.
 */
const READ_BACK_MARGIN_MS = 10_000;
/**
 * A publish unacknowledged this long is a problem to show in the status,
 * long before the producer gives up: with too few in-sync replicas left (and
 * no controller quorum to shrink the set), every attempt waits out the
 * request timeout, and the retries add up to minutes.
 */
const STALLED_PUBLISH_MS = 10_000;
const STALLED_PUBLISH = `publish to Kafka not acknowledged for over ${STALLED_PUBLISH_MS / 1000} s (brokers down or too few in-sync replicas?); retrying the same batch`;

/**
 * Drives one stream: pulls from its source (at the configured rate for paced
 * sources) and hands whole batches to the sink, one batch in flight, so a slow
 * Kafka slows the source rather than piling events up in memory. A failed
 * publish is retried with the same batch until it succeeds or the stream is
 * stopped: nothing is skipped. After each published batch the source's
 * checkpoint is persisted, so a restart resumes right after it.
 */
export class StreamRunner {
  private readonly logger: Logger;
  private state: StreamState;
  private readonly counters: StreamCounters;
  private readonly startedAtMs: number;
  private stoppedAtMs: number | null;
  private lastBatchAtMs: number | null;
  private readonly errors: LastError;
  /** The source's own last error as last seen, to notice when it changes. */
  private sourceError: string | null = null;
  private loop: Promise<void> | null = null;
  private abort = new AbortController();
  private pending: {
    batch: SourceBatch;
    checkpoint: unknown;
    firstAttemptMs: number | null;
  } | null = null;
  /**
   * What may already be on the topic from a batch this runner (or the
   * process before a crash) could not confirm: read back once, then every
   * event of it is skipped (see skipPublished).
   */
  private unconfirmed: { sinceMs: number; fullnames: ReadonlySet<string> | null } | null = null;
  /** When the publish in flight began (null: none in flight). */
  private publishingSinceMs: number | null = null;
  private paceFromMs: number;
  private paceFromCount: number;
  /** Set on server shutdown: the loop ends but the persisted state stays as it is. */
  private detached = false;

  constructor(
    readonly definition: StreamDefinition,
    private readonly source: StreamSource,
    private readonly sink: RunnerSink,
    private readonly clock: Clock,
    private readonly batchSize: number,
    private readonly hooks: StreamRunnerHooks,
    restored?: RestoredProgress,
  ) {
    this.logger = new Logger(`Stream ${definition.id}`);
    this.state = restored?.state ?? 'running';
    this.counters = { ...(restored?.counters ?? ZERO_COUNTERS) };
    this.startedAtMs = restored?.startedAtMs ?? clock.now();
    this.stoppedAtMs = restored?.stoppedAtMs ?? null;
    this.lastBatchAtMs = restored?.lastBatchAtMs ?? null;
    this.errors = new LastError(restored?.lastError ?? null);
    this.paceFromMs = clock.now();
    this.paceFromCount = this.produced();
    // A crash between a publish and the save of the position after it
    // leaves that batch on the topic while the source goes back to before
    // it: what was sent after the last save is read back before publishing.
    if (restored?.state === 'running' && restored.savedAtMs !== undefined)
      this.unconfirmed = { sinceMs: restored.savedAtMs, fullnames: null };
  }

  /** Starts (or restarts after a restore) the loop when the stream is running. */
  start(): void {
    if (this.state !== 'running' || this.loop) return;
    this.abort = new AbortController();
    this.paceFromMs = this.clock.now();
    this.paceFromCount = this.produced();
    this.loop = this.run()
      .catch(async (error: unknown) => {
        // A source that can never succeed (credentials refused, subreddit gone,
        // unreadable file) stops its stream, with the reason in its status.
        const message = error instanceof Error ? error.message : String(error);
        this.errors.failed(message, this.clock.now());
        this.logger.error(`stream stopped: ${message}`);
        this.state = 'stopped';
        this.stoppedAtMs = this.clock.now();
        await this.source.close().catch(() => undefined);
        await this.persistNow();
      })
      .finally(() => {
        this.loop = null;
      });
  }

  async pause(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'paused';
    await this.halt();
    await this.persistNow();
  }

  async resume(): Promise<void> {
    if (this.state !== 'paused') return;
    this.state = 'running';
    await this.persistNow();
    this.start();
  }

  /** Stops for good: the batch in flight (if any) settles first; the source is closed. */
  async stop(): Promise<void> {
    const stopping = this.state === 'running' || this.state === 'paused';
    if (stopping) {
      this.state = 'stopped';
      this.stoppedAtMs = this.clock.now();
    }
    await this.halt();
    await this.source.close();
    if (stopping) await this.endLane();
    await this.persistNow();
  }

  /** A stream's last windows wait for its lane to close (see RunnerSink.endOfStream). */
  private async endLane(): Promise<void> {
    if (!this.sink.endOfStream) return;
    try {
      await this.sink.endOfStream(this.definition);
    } catch (error) {
      const message = `could not mark the end of the stream: ${error instanceof Error ? error.message : String(error)}`;
      this.errors.failed(message, this.clock.now());
      this.logger.warn(`${message}; its last windows stay open until it runs again`);
    }
  }

  /** Ends the loop without changing the persisted state (server shutdown: resume on next boot). */
  async detach(): Promise<void> {
    this.detached = true;
    await this.halt();
    await this.source.close();
  }

  snapshot(): StreamSnapshot {
    const source = this.source.status();
    this.observeSource(source);
    const since = this.publishingSinceMs;
    if (since !== null && this.clock.now() - since >= STALLED_PUBLISH_MS)
      this.errors.failed(STALLED_PUBLISH, since + STALLED_PUBLISH_MS);
    const error = this.errors.status;
    return {
      definition: this.definition,
      state: this.state,
      counters: { ...this.counters },
      startedAtMs: this.startedAtMs,
      stoppedAtMs: this.stoppedAtMs,
      lastBatchAtMs: this.lastBatchAtMs,
      lastError: error?.message ?? null,
      lastErrorAtMs: error?.atMs ?? null,
      lastErrorRecoveredAtMs: error?.recoveredAtMs ?? null,
      source,
    };
  }

  private async halt(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private produced(): number {
    return this.counters.submissions + this.counters.comments;
  }

  /** Persists the current state and source position (also called by the owner after creating a stream). */
  async persistNow(checkpoint: unknown = this.source.checkpoint()): Promise<void> {
    try {
      await this.hooks.persist(this.snapshot(), checkpoint);
    } catch (error) {
      const message = `could not persist stream state: ${error instanceof Error ? error.message : String(error)}`;
      this.errors.failed(message, this.clock.now());
      this.logger.warn(message);
    }
  }

  private async run(): Promise<void> {
    let retryDelay = 200;
    while (this.state === 'running' && !this.detached) {
      if (!this.pending) {
        if (this.source.exhausted) {
          // Before the state says completed: after a crash in between, the
          // stream completes again and sends the (idempotent) marker again.
          await this.endLane();
          this.state = 'completed';
          this.stoppedAtMs = this.clock.now();
          await this.persistNow();
          break;
        }
        let max = this.batchSize;
        if (!this.source.selfPaced) {
          const elapsedS = (this.clock.now() - this.paceFromMs) / 1000;
          const due =
            Math.floor(elapsedS * (this.definition.ratePerSecond ?? 1)) -
            (this.produced() - this.paceFromCount);
          if (due <= 0) {
            await this.sleep(IDLE_TICK_MS);
            continue;
          }
          max = Math.min(due, this.batchSize);
        }
        const batch = await this.source.pull(max, this.abort.signal);
        if (batch.events.length === 0 && batch.rejects.length === 0) {
          if (!this.source.selfPaced || this.abort.signal.aborted) await this.sleep(IDLE_TICK_MS);
          continue;
        }
        this.pending = { batch, checkpoint: this.source.checkpoint(), firstAttemptMs: null };
      }
      const pending = this.pending;
      if (!pending) continue;
      const { batch, checkpoint } = pending;
      try {
        pending.firstAttemptMs ??= this.clock.now();
        const events = await this.skipPublished(batch.events);
        this.publishingSinceMs = this.clock.now();
        try {
          if (events.length > 0) await this.sink.publish(events);
        } finally {
          this.publishingSinceMs = null;
        }
        if (batch.rejects.length > 0) await this.sink.deadLetter(this.definition.id, batch.rejects);
        this.pending = null;
        // Skipped events count as produced: they are on the topic, once.
        this.count(batch);
        if (events.length === batch.events.length) this.unconfirmed = null;
        this.hooks.onPublished(events, batch.rejects);
        this.lastBatchAtMs = this.clock.now();
        this.observeSource(this.source.status());
        this.errors.succeeded(this.lastBatchAtMs);
        retryDelay = 200;
        await this.persistNow(checkpoint);
      } catch (error) {
        // A failed publish may have landed in part: the retry skips that part.
        if (pending.firstAttemptMs !== null)
          this.unconfirmed = {
            sinceMs: Math.min(this.unconfirmed?.sinceMs ?? Infinity, pending.firstAttemptMs),
            fullnames: null,
          };
        this.counters.failedAttempts++;
        const message = error instanceof Error ? error.message : String(error);
        this.errors.failed(message, this.clock.now());
        this.logger.warn(`publish failed, retrying in ${retryDelay} ms: ${message}`);
        await this.sleep(retryDelay);
        retryDelay = Math.min(retryDelay * 2, MAX_RETRY_DELAY_MS);
      }
    }
  }

  /**
   * The events not on the topic yet. Only after a crash or a failed publish:
   * the stream's events sent since then are read back once (a failure to
   * read is a failed attempt, retried like a publish), and every event found
   * there is skipped, in this batch and the next ones, until a batch has
   * none of them. Sources give the same items again from a saved position,
   * so the events topic holds every source item once.
   */
  private async skipPublished(events: readonly RedditEvent[]): Promise<readonly RedditEvent[]> {
    const unconfirmed = this.unconfirmed;
    if (!unconfirmed || !this.sink.publishedSince) return events;
    const fullnames = (unconfirmed.fullnames ??= await this.sink.publishedSince(
      this.definition.id,
      unconfirmed.sinceMs - READ_BACK_MARGIN_MS,
    ));
    if (fullnames.size === 0) {
      this.unconfirmed = null;
      return events;
    }
    const fresh = events.filter((e) => !fullnames.has(e.fullname));
    if (fresh.length < events.length)
      this.logger.log(
        `skipped ${events.length - fresh.length} event(s) already on the topic (sent before a crash or a failed publish)`,
      );
    return fresh;
  }

  /** A new error reported by the source (a failed poll or read it retries) becomes the stream's. */
  private observeSource(status: SourceStatus): void {
    const reported = status.lastError ?? null;
    if (reported === this.sourceError) return;
    this.sourceError = reported;
    if (reported !== null) this.errors.failed(reported, this.clock.now());
  }

  private count(batch: SourceBatch): void {
    for (const event of batch.events) {
      if (event.kind === 'submission') this.counters.submissions++;
      else this.counters.comments++;
    }
    this.counters.rejected += batch.rejects.length;
    this.counters.batches++;
  }

  /** Waits `ms`, or less if the stream is paused or stopped meanwhile. */
  private sleep(ms: number): Promise<void> {
    const signal = this.abort.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
    });
  }
}
