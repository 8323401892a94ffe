import { Logger } from '@nestjs/common';
import { type Clock } from '@app/common/clock';
import { type StreamDefinition, type StreamState } from './domain/stream-definition';
import { type EventKind, type RedditEvent } from './domain/reddit-event';
import { type EventSink } from './event-sink';
import { type StreamSource } from './sources/stream-source';

export interface StreamCounters {
  submissions: number;
  comments: number;
  batches: number;
  failedAttempts: number;
}

export interface StreamSnapshot {
  readonly definition: StreamDefinition;
  readonly state: StreamState;
  readonly counters: Readonly<StreamCounters>;
  readonly startedAtMs: number;
  readonly stoppedAtMs: number | null;
  readonly lastBatchAtMs: number | null;
  readonly lastError: string | null;
}

const IDLE_TICK_MS = 50;
const MAX_RETRY_DELAY_MS = 10_000;

/**
 * Drives one stream: pulls from its source at the configured rate and hands
 * whole batches to the sink, one batch in flight (so a slow Kafka slows the
 * source rather than piling events up in memory). A failed publish is retried
 * with the same events until it succeeds or the stream is stopped: nothing is
 * skipped.
 */
export class StreamRunner {
  private readonly logger: Logger;
  private state: StreamState = 'running';
  private readonly counters: StreamCounters = {
    submissions: 0,
    comments: 0,
    batches: 0,
    failedAttempts: 0,
  };
  private readonly startedAtMs: number;
  private stoppedAtMs: number | null = null;
  private lastBatchAtMs: number | null = null;
  private lastError: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private pending: readonly RedditEvent[] = [];

  constructor(
    readonly definition: StreamDefinition,
    private readonly source: StreamSource,
    private readonly sink: EventSink,
    private readonly clock: Clock,
    private readonly batchSize: number,
    private readonly onPublished: (events: readonly RedditEvent[]) => void,
  ) {
    this.logger = new Logger(`Stream ${definition.id}`);
    this.startedAtMs = clock.now();
  }

  start(): void {
    this.loop = this.run().catch((error: unknown) => {
      this.lastError = error instanceof Error ? error.message : String(error);
      this.logger.error(`stream loop ended unexpectedly: ${this.lastError}`);
      this.finish('stopped');
    });
  }

  /** Stops after the batch in flight (if any) settles. */
  async stop(): Promise<void> {
    if (this.state === 'running') this.finish('stopped');
    this.wake?.();
    await this.loop;
  }

  snapshot(): StreamSnapshot {
    return {
      definition: this.definition,
      state: this.state,
      counters: { ...this.counters },
      startedAtMs: this.startedAtMs,
      stoppedAtMs: this.stoppedAtMs,
      lastBatchAtMs: this.lastBatchAtMs,
      lastError: this.lastError,
    };
  }

  private finish(state: StreamState): void {
    this.state = state;
    this.stoppedAtMs = this.clock.now();
  }

  private produced(): number {
    return this.counters.submissions + this.counters.comments;
  }

  private async run(): Promise<void> {
    let retryDelay = 200;
    while (this.state === 'running') {
      if (this.pending.length === 0) {
        if (this.source.exhausted) {
          this.finish('completed');
          break;
        }
        const due =
          Math.floor(
            ((this.clock.now() - this.startedAtMs) / 1000) * this.definition.ratePerSecond,
          ) - this.produced();
        if (due <= 0) {
          await this.sleep(IDLE_TICK_MS);
          continue;
        }
        this.pending = await this.source.pull(Math.min(due, this.batchSize));
        if (this.pending.length === 0) {
          await this.sleep(IDLE_TICK_MS);
          continue;
        }
      }
      try {
        await this.sink.publish(this.pending);
        this.count(this.pending);
        this.onPublished(this.pending);
        this.pending = [];
        this.lastBatchAtMs = this.clock.now();
        retryDelay = 200;
      } catch (error) {
        this.counters.failedAttempts++;
        this.lastError = error instanceof Error ? error.message : String(error);
        this.logger.warn(`publish failed, retrying in ${retryDelay} ms: ${this.lastError}`);
        await this.sleep(retryDelay);
        retryDelay = Math.min(retryDelay * 2, MAX_RETRY_DELAY_MS);
      }
    }
  }

  private count(events: readonly RedditEvent[]): void {
    for (const event of events) {
      const kind: EventKind = event.kind;
      if (kind === 'submission') this.counters.submissions++;
      else this.counters.comments++;
    }
    this.counters.batches++;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        this.wake = null;
        resolve();
      };
      this.timer = setTimeout(() => this.wake?.(), ms);
    });
  }
}
