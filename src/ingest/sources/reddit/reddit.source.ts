import { cutUnits } from '@app/common/text-cut';
import { AppError } from '@app/common/app-error';
import { type Clock } from '@app/common/clock';
import { type EventKind, type RedditEvent } from '@app/events/reddit-event';
import { normaliseRedditItem } from '@app/ingest/domain/reddit-normaliser';
import {
  type IngestReject,
  type SourceBatch,
  type SourceStatus,
  type StreamSource,
} from '../stream-source';
import { ListingPoller, type PolledItem, parseListing } from './listing-poller';
import { type RedditClientConfig } from './reddit-config';
import { RedditApiClient, type RedditLogger } from './reddit-api-client';
import { type RedditHttp, type RedditHttpResponse } from './reddit-http';
import { type RateLimitBudget } from './rate-limit';
import { interpretAboutResponse, refusalText } from './subreddit-about';
import { type BackoffPolicy, type Sleep, abortableSleep } from './timing';

/** What a Reddit stream persists after each published batch. */
export interface RedditCheckpoint {
  /** Per kind, the `before` cursor that resumes right after the last published item. */
  readonly cursors: { readonly submission?: string; readonly comment?: string };
  /** The fullnames published last (a few hundred per kind), so a restart drops the overlap. */
  readonly recent: readonly string[];
}

const PREFIX: Readonly<Record<EventKind, string>> = { submission: 't3_', comment: 't1_' };
const LISTING: Readonly<Record<EventKind, string>> = { submission: 'new', comment: 'comments' };
const FULLNAME = /^t[13]_[0-9a-z]{1,13}$/;
const RAW_LIMIT = 4096;
/** More than a listing page (100), so a cursor-less poll after a restart is fully deduplicated. */
const DEFAULT_RECENT_PER_KIND = 250;

/** Reads a persisted checkpoint defensively: anything malformed is dropped, not trusted. */
export function parseRedditCheckpoint(value: unknown): RedditCheckpoint {
  const empty: RedditCheckpoint = { cursors: {}, recent: [] };
  if (typeof value !== 'object' || value === null) return empty;
  const raw = value as { cursors?: unknown; recent?: unknown };
  const cursors: { submission?: string; comment?: string } = {};
  if (typeof raw.cursors === 'object' && raw.cursors !== null) {
    const c = raw.cursors as Record<string, unknown>;
    for (const kind of ['submission', 'comment'] as const) {
      const cursor = c[kind];
      if (typeof cursor === 'string' && FULLNAME.test(cursor) && cursor.startsWith(PREFIX[kind])) {
        cursors[kind] = cursor;
      }
    }
  }
  const recent = Array.isArray(raw.recent)
    ? raw.recent.filter((name): name is string => typeof name === 'string' && FULLNAME.test(name))
    : [];
  return { cursors, recent };
}

/** Knobs for tests and tuning; the defaults suit Reddit. */
export interface RedditSourceTuning {
  /** Backoff for transient HTTP failures; default 1 s doubling to 30 s, full jitter. */
  readonly retry?: BackoffPolicy;
  /** Waits after polls that found nothing new; default 1, 2, 4, 8, 16 s (minus up to 20 % jitter). */
  readonly emptyPollBackoff?: BackoffPolicy;
  /** Empty polls with a cursor before one poll without it; default 3. */
  readonly cursorlessAfterEmptyPolls?: number;
  /** Fullnames per kind kept in the checkpoint; default 250. */
  readonly recentPerKind?: number;
  readonly random?: () => number;
  readonly sleep?: Sleep;
  /** Default: the process-wide budget of the client id. */
  readonly budget?: RateLimitBudget;
}

export interface RedditSourceOptions {
  readonly client: RedditApiClient;
  readonly streamId: string;
  readonly subreddits: readonly string[];
  readonly kinds: readonly EventKind[];
  /** What checkpoint() returned before a restart. */
  readonly checkpoint?: unknown;
  readonly clock: Clock;
  readonly tuning?: RedditSourceTuning;
}

interface KindState {
  readonly kind: EventKind;
  readonly poller: ListingPoller;
  readonly position: string;
  /** The cursor to persist: right after the last item pull() returned. */
  committedCursor: string | null;
  /** Fullnames pull() returned, oldest first, at most recentPerKind. */
  readonly recent: string[];
  lastPolledAtMs: number;
}

interface Buffered {
  readonly state: KindState;
  readonly item: PolledItem;
  readonly ingestedUtc: number;
}

const NOTHING: SourceBatch = { events: [], rejects: [] };

function rawText(item: PolledItem): string {
  const text = JSON.stringify({ kind: item.kind, data: item.data }) ?? '';
  return cutUnits(text, RAW_LIMIT);
}

/**
 * A live stream of one set of subreddits from Reddit's API: one listing poller
 * per kind (/new for submissions, /comments for comments), polled when due and
 * paced by the shared rate-limit budget. Self-paced: pull() waits until a poll
 * is due and may return an empty batch. Never exhausted.
 *
 * Transient failures are retried inside pull() until the stream stops and show
 * up as status().lastError. A refusal (credentials rejected, subreddit banned,
 * private or gone) rejects pull() with an AppError, which ends the stream.
 */
export class RedditSource implements StreamSource {
  readonly selfPaced = true;
  readonly exhausted: boolean = false;
  private readonly client: RedditApiClient;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly recentPerKind: number;
  private readonly states: KindState[];
  private buffer: Buffered[] = [];
  private readonly closing = new AbortController();
  private lastPollAtMs: number | null = null;
  private lastError: string | null = null;
  private polls = 0;

  constructor(private readonly options: RedditSourceOptions) {
    const { subreddits, kinds, clock, tuning = {} } = options;
    if (subreddits.length === 0) {
      throw new AppError('INVALID_INPUT', 'a Reddit stream needs at least one subreddit');
    }
    if (kinds.length === 0) {
      throw new AppError('INVALID_INPUT', 'a Reddit stream needs at least one kind');
    }
    this.client = options.client;
    this.clock = clock;
    this.sleep = tuning.sleep ?? abortableSleep;
    this.recentPerKind = tuning.recentPerKind ?? DEFAULT_RECENT_PER_KIND;
    const resume = parseRedditCheckpoint(options.checkpoint);
    const names = subreddits.map((name) => name.replace(/^\/?r\//i, '')).join('+');
    this.states = [...new Set(kinds)].map((kind): KindState => {
      const path = `/r/${names}/${LISTING[kind]}`;
      const cursor = resume.cursors[kind] ?? null;
      const recent = resume.recent.filter((name) => name.startsWith(PREFIX[kind]));
      return {
        kind,
        position: `GET ${path}`,
        committedCursor: cursor,
        recent: recent.slice(-this.recentPerKind),
        lastPolledAtMs: 0,
        poller: new ListingPoller({
          path,
          clock,
          random: tuning.random,
          emptyBackoff: tuning.emptyPollBackoff,
          cursorlessAfterEmptyPolls: tuning.cursorlessAfterEmptyPolls,
          resume: { cursor, seen: recent },
        }),
      };
    });
  }

  async pull(max: number, signal: AbortSignal): Promise<SourceBatch> {
    if (this.buffer.length === 0) {
      const stop = AbortSignal.any([signal, this.closing.signal]);
      try {
        await this.pollNextDue(stop);
      } catch (error) {
        if (stop.aborted) return NOTHING;
        throw error;
      }
    }
    return this.drain(Math.max(1, max));
  }

  checkpoint(): RedditCheckpoint {
    const cursors: { submission?: string; comment?: string } = {};
    for (const state of this.states) {
      if (state.committedCursor !== null) cursors[state.kind] = state.committedCursor;
    }
    return { cursors, recent: this.states.flatMap((state) => state.recent) };
  }

  status(): SourceStatus {
    const progress: Record<string, number | string> = { polls: this.polls };
    for (const state of this.states) {
      if (state.committedCursor !== null) progress[`${state.kind}Cursor`] = state.committedCursor;
    }
    return {
      lastPollAtMs: this.lastPollAtMs,
      lastError: this.lastError,
      rateLimitRemaining: this.client.budget.remaining,
      rateLimitResetAtMs: this.client.budget.resetAtMs,
      token: {
        fetched: this.client.tokens.refreshes.count,
        lastFetchedAtMs: this.client.tokens.refreshes.lastAtMs,
        expiresAtMs: this.client.tokens.expiresAtMs,
      },
      progress,
    };
  }

  close(): Promise<void> {
    this.closing.abort();
    this.buffer = [];
    return Promise.resolve();
  }

  /** Waits for the poller due first, polls it once, and buffers what is new. */
  private async pollNextDue(signal: AbortSignal): Promise<void> {
    const state = this.states.reduce((first, candidate) =>
      candidate.poller.dueAtMs < first.poller.dueAtMs ||
      (candidate.poller.dueAtMs === first.poller.dueAtMs &&
        candidate.lastPolledAtMs < first.lastPolledAtMs)
        ? candidate
        : first,
    );
    const wait = state.poller.dueAtMs - this.clock.now();
    if (wait > 0) await this.sleep(wait, signal);

    const request = state.poller.nextRequest();
    const response = await this.client.get(request.path, request.query, {
      signal,
      onTransientError: (message) => {
        this.lastError = message;
      },
    });
    const now = this.clock.now();
    this.lastPollAtMs = now;
    state.lastPolledAtMs = now;
    this.polls++;

    if (response.status !== 200) {
      const error = this.refusal(response);
      this.lastError = `${state.position}: ${error.message}`;
      throw error;
    }
    const listing = parseListing(response.body);
    if (!listing.ok) {
      this.lastError = `${state.position}: ${listing.reason}`;
      state.poller.failed();
      return;
    }
    const items = state.poller.accept(request, listing.children);
    if (items.length === 0) {
      // Nothing new: everything listed was published before, so the cursor may move on.
      state.committedCursor = state.poller.cursor;
      return;
    }
    const ingestedUtc = now / 1000;
    for (const item of items) this.buffer.push({ state, item, ingestedUtc });
  }

  /**
   * Why a listing was refused (the client already retried what can be): a
   * banned, private or vanished subreddit. With several subreddits Reddit does
   * not say which one, so the error names them all.
   */
  private refusal(response: RedditHttpResponse): AppError {
    const { subreddits } = this.options;
    try {
      interpretAboutResponse(subreddits[0] ?? '', response);
    } catch (error) {
      if (!(error instanceof AppError) || subreddits.length === 1) {
        return error instanceof AppError
          ? error
          : new AppError('DEPENDENCY_UNAVAILABLE', String(error));
      }
      const reason = typeof error.details?.reason === 'string' ? error.details.reason : null;
      const names = subreddits.map((name) => `r/${name}`).join(', ');
      const text = reason !== null ? refusalText(reason) : error.message;
      return new AppError(error.code, `one of ${names} ${text}`, {
        ...error.details,
        subreddit: subreddits.join('+'),
      });
    }
    return new AppError('DEPENDENCY_UNAVAILABLE', `Reddit answered HTTP ${response.status}`);
  }

  private drain(max: number): SourceBatch {
    if (this.buffer.length === 0) return NOTHING;
    const taken = this.buffer.splice(0, max);
    const events: RedditEvent[] = [];
    const rejects: IngestReject[] = [];
    for (const { state, item, ingestedUtc } of taken) {
      const result = normaliseRedditItem(item.kind, item.data, {
        source: 'reddit',
        streamId: this.options.streamId,
        ingestedUtc,
      });
      if (result.ok) events.push(result.value);
      else rejects.push({ reason: result.reason, raw: rawText(item), position: state.position });
      if (item.fullname !== null) {
        state.recent.push(item.fullname);
        if (state.recent.length > this.recentPerKind) state.recent.shift();
      }
      if (item.cursorAfter !== null) state.committedCursor = item.cursorAfter;
    }
    return { events, rejects };
  }
}

export interface CreateRedditSourceOptions extends Omit<RedditSourceOptions, 'client'> {
  readonly config: RedditClientConfig;
  /** Default: FetchRedditHttp. */
  readonly http?: RedditHttp;
  /** Share one client (one token) between streams; by default each source makes its own. */
  readonly client?: RedditApiClient;
  readonly logger?: RedditLogger;
}

/** What the stream service calls to start (or resume) a Reddit stream. */
export function createRedditSource(options: CreateRedditSourceOptions): RedditSource {
  const { tuning = {} } = options;
  const client =
    options.client ??
    new RedditApiClient({
      config: options.config,
      clock: options.clock,
      http: options.http,
      budget: tuning.budget,
      retry: tuning.retry,
      random: tuning.random,
      sleep: tuning.sleep,
      logger: options.logger,
    });
  return new RedditSource({
    client,
    streamId: options.streamId,
    subreddits: options.subreddits,
    kinds: options.kinds,
    checkpoint: options.checkpoint,
    clock: options.clock,
    tuning,
  });
}
