import { basename } from 'node:path';
import { AppError } from '@app/common/app-error';
import { type Clock } from '@app/common/clock';
import {
  EVENT_KINDS,
  type EventKind,
  type RedditEvent,
  subredditKey,
} from '@app/events/reddit-event';
import {
  type IngestReject,
  type SourceBatch,
  type SourceStatus,
  type StreamSource,
} from '@app/ingest/sources/stream-source';
import { type DumpDecompressor } from './dump-decompressor';
import { DEFAULT_MAX_LINE_BYTES, DumpReader } from './dump-reader';
import { classifyLine, type LineFilter, type LineOutcome } from './replay-line';
import {
  abortableSleep,
  ReplayPacer,
  type ReplaySpeed,
  type Sleep,
  speedFactor,
} from './replay-pacer';

export interface ReplaySourceOptions {
  /** The dump file (already resolved inside the replay directory). */
  readonly path: string;
  readonly streamId: string;
  readonly clock: Clock;
  /** Keep only these subreddits (case-insensitive, "r/" prefix allowed); empty or absent: all. */
  readonly subreddits?: readonly string[];
  /** Keep only these kinds; empty or absent: both. */
  readonly kinds?: readonly EventKind[];
  /** Keep items created at or after this Unix second. */
  readonly fromUtc?: number;
  /** Keep items created before this Unix second. */
  readonly toUtc?: number;
  /** Default 'max'. */
  readonly speed?: ReplaySpeed;
  /** First line to read (1-based): `checkpoint().line + 1` to resume. Default 1. */
  readonly startLine?: number;
  /** Longer lines are rejected unread. Default 1 MiB. */
  readonly maxLineBytes?: number;
  /** Lines one pull may read past before it returns, even with nothing to show. Default 100 000. */
  readonly maxLinesPerPull?: number;
  /** Read chunk size in bytes (tests use tiny ones). */
  readonly highWaterMark?: number;
  /** Injected for tests; default: an abortable setTimeout. */
  readonly sleep?: Sleep;
  /** Default: the zstd command-line tool. */
  readonly decompressor?: DumpDecompressor;
}

/** What `checkpoint()` returns: the last line whose outcome was handed out. */
export interface ReplayCheckpoint {
  readonly line: number;
}

const DEFAULT_MAX_LINES_PER_PULL = 100_000;

function invalid(message: string, field: string): AppError {
  return new AppError('INVALID_INPUT', message, { field });
}

function optionalUtc(value: number | undefined, field: string): number | null {
  if (value === undefined) return null;
  if (!Number.isFinite(value)) throw invalid(`${field} must be a number of Unix seconds`, field);
  return value;
}

/**
 * Replays a Reddit dump file (Pushshift / Arctic Shift layout: one submission
 * or comment `data` object per line, plain or Zstandard-compressed) as a
 * stream source.
 *
 * Resuming is exact: `checkpoint()` names the last line whose outcome (event,
 * reject, or filtered out) a pull has returned, and a source started at the
 * next line continues with no gap and no duplicate. A line read but not yet
 * due under pacing is held back, not counted.
 */
export class ReplaySource implements StreamSource {
  readonly selfPaced = true;
  readonly fileName: string;

  private readonly filter: LineFilter;
  private readonly startLine: number;
  private readonly maxLinesPerPull: number;
  private readonly pacer: ReplayPacer;
  private readonly sleep: Sleep;

  private reader: DumpReader | null = null;
  private opening: Promise<DumpReader> | null = null;
  /** An event read but not yet due; it goes out first on the next pull. */
  private held: LineOutcome | null = null;
  private endOfFile = false;
  private closed = false;
  private pulling = false;
  private failure: Error | null = null;
  private readonly closing = new AbortController();

  private committedLine: number;
  private matched = 0;
  private skipped = 0;
  private malformed = 0;
  private lastPollAtMs: number | null = null;
  private lastError: string | null = null;

  constructor(private readonly options: ReplaySourceOptions) {
    this.fileName = basename(options.path);
    const subreddits = (options.subreddits ?? []).map(subredditKey);
    const kinds = options.kinds ?? [];
    for (const kind of kinds) {
      if (!EVENT_KINDS.includes(kind)) throw invalid(`unknown kind ${String(kind)}`, 'kinds');
    }
    const fromUtc = optionalUtc(options.fromUtc, 'fromUtc');
    const toUtc = optionalUtc(options.toUtc, 'toUtc');
    if (fromUtc !== null && toUtc !== null && fromUtc >= toUtc) {
      throw invalid('fromUtc must be before toUtc', 'fromUtc');
    }
    this.filter = {
      subreddits: subreddits.length > 0 ? new Set(subreddits) : null,
      kinds: new Set(kinds.length > 0 ? kinds : EVENT_KINDS),
      fromUtc,
      toUtc,
      streamId: options.streamId,
      fileName: this.fileName,
      maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
    };
    this.startLine = options.startLine ?? 1;
    if (!Number.isSafeInteger(this.startLine) || this.startLine < 1) {
      throw invalid('startLine must be a positive integer', 'startLine');
    }
    this.maxLinesPerPull = options.maxLinesPerPull ?? DEFAULT_MAX_LINES_PER_PULL;
    if (!Number.isSafeInteger(this.maxLinesPerPull) || this.maxLinesPerPull < 1) {
      throw invalid('maxLinesPerPull must be a positive integer', 'maxLinesPerPull');
    }
    let factor: number | null;
    try {
      factor = speedFactor(options.speed ?? 'max');
    } catch (error) {
      throw invalid((error as Error).message, 'speed');
    }
    this.pacer = new ReplayPacer(factor, options.clock);
    this.sleep = options.sleep ?? abortableSleep;
    this.committedLine = this.startLine - 1;
  }

  get exhausted(): boolean {
    return this.closed || (this.endOfFile && this.held === null);
  }

  checkpoint(): ReplayCheckpoint {
    return { line: this.committedLine };
  }

  status(): SourceStatus {
    return {
      lastPollAtMs: this.lastPollAtMs,
      lastError: this.lastError,
      progress: {
        file: this.fileName,
        line: this.committedLine,
        matched: this.matched,
        skipped: this.skipped,
        malformed: this.malformed,
      },
    };
  }

  /**
   * Up to `max` events (and at most `max` rejects). Under pacing, waits for the
   * next item only when it has nothing yet to return; otherwise it returns what
   * it has and keeps the item for the next pull. An aborted signal ends the
   * wait and returns what has been gathered.
   */
  async pull(max: number, callerSignal: AbortSignal): Promise<SourceBatch> {
    if (this.pulling) throw new Error('ReplaySource.pull called while another pull is running');
    if (this.failure) throw this.failure;
    const events: RedditEvent[] = [];
    const rejects: IngestReject[] = [];
    if (this.closed || max <= 0 || callerSignal.aborted) return { events, rejects };
    // Aborted by the caller or by close(). Not AbortSignal.any: this runs once
    // per pull for the life of a long replay, and its listeners are removed below.
    const pullAbort = new AbortController();
    const abort = (): void => pullAbort.abort();
    callerSignal.addEventListener('abort', abort);
    this.closing.signal.addEventListener('abort', abort);
    const signal = pullAbort.signal;

    this.pulling = true;
    let line = this.committedLine;
    let matched = 0;
    let skipped = 0;
    let scanned = 0;
    try {
      const reader = await this.openReader();
      while (events.length < max && rejects.length < max && scanned < this.maxLinesPerPull) {
        if (signal.aborted) break;
        let outcome: LineOutcome | null;
        const wasHeld = this.held !== null;
        try {
          outcome = this.held ?? (await this.readOutcome(reader));
        } catch (error) {
          const failure = this.fail(error);
          if (events.length + rejects.length === 0) throw failure;
          break;
        }
        this.held = null;
        if (outcome === null) {
          this.endOfFile = true;
          break;
        }
        scanned++;
        if (outcome.kind === 'skip') {
          skipped++;
        } else if (outcome.kind === 'reject') {
          rejects.push(outcome.reject);
        } else {
          let event = outcome.event;
          const wait = this.pacer.delayBefore(event.createdUtc);
          if (wait > 0) {
            if (events.length + rejects.length > 0) {
              this.held = outcome; // deliver what is due now; this one waits for the next pull
              break;
            }
            await this.sleep(wait, signal);
            if (signal.aborted) {
              this.held = outcome;
              break;
            }
          }
          if (wait > 0 || wasHeld) event = { ...event, ingestedUtc: this.nowUtc() };
          events.push(event);
          matched++;
        }
        line = outcome.line;
      }
    } finally {
      callerSignal.removeEventListener('abort', abort);
      this.closing.signal.removeEventListener('abort', abort);
      this.pulling = false;
      this.committedLine = line;
      this.matched += matched;
      this.skipped += skipped;
      this.malformed += rejects.length;
      this.lastPollAtMs = this.options.clock.now();
    }
    if (this.endOfFile) await this.releaseReader();
    return { events, rejects };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort(); // ends a pull waiting on the pacing
    this.held = null;
    await this.releaseReader();
  }

  private nowUtc(): number {
    return this.options.clock.now() / 1000;
  }

  /** Records a read failure: this source is broken from now on (resume from the checkpoint). */
  private fail(error: unknown): Error {
    const failure =
      typeof error === 'object' && error !== null && typeof (error as Error).message === 'string'
        ? (error as Error)
        : new Error(String(error));
    this.failure = failure;
    this.lastError = `reading ${this.fileName} failed: ${failure.message}`;
    return failure;
  }

  private openReader(): Promise<DumpReader> {
    if (this.reader) return Promise.resolve(this.reader);
    this.opening ??= DumpReader.open(this.options.path, {
      startLine: this.startLine,
      maxLineBytes: this.options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
      highWaterMark: this.options.highWaterMark,
      decompressor: this.options.decompressor,
    }).then(
      (reader) => {
        this.reader = reader;
        return reader;
      },
      (error: unknown) => {
        this.opening = null;
        throw this.fail(error);
      },
    );
    return this.opening;
  }

  private async releaseReader(): Promise<void> {
    const reader = this.reader ?? (this.opening ? await this.opening.catch(() => null) : null);
    this.reader = null;
    this.opening = null;
    await reader?.close();
  }

  private async readOutcome(reader: DumpReader): Promise<LineOutcome | null> {
    const line = await reader.next();
    return line === null ? null : classifyLine(line, this.filter, this.nowUtc());
  }
}

export function createReplaySource(options: ReplaySourceOptions): ReplaySource {
  return new ReplaySource(options);
}

/**
 * The first line to read when resuming from a persisted `checkpoint()` value.
 * Throws INVALID_INPUT for anything that is not a replay checkpoint.
 */
export function startLineAfter(checkpoint: unknown): number {
  const line =
    typeof checkpoint === 'object' && checkpoint !== null
      ? (checkpoint as { line?: unknown }).line
      : undefined;
  if (typeof line !== 'number' || !Number.isSafeInteger(line) || line < 0) {
    throw invalid('a replay checkpoint must be { line: <non-negative integer> }', 'checkpoint');
  }
  return line + 1;
}
