import { AppError } from '@app/common/app-error';
import { type Clock } from '@app/common/clock';
import { SUBREDDIT_NAME_PATTERN } from '@app/events/reddit-event';
import { RedditTokenManager } from './oauth-token';
import { type RedditClientConfig } from './reddit-config';
import {
  FetchRedditHttp,
  type RedditHttp,
  type RedditHttpResponse,
  RedditTransientError,
} from './reddit-http';
import { type RateLimitBudget, RateLimitBudgets, throttleSeconds } from './rate-limit';
import { type SubredditAbout, interpretAboutResponse } from './subreddit-about';
import {
  type BackoffPolicy,
  DEFAULT_RETRY_BACKOFF,
  type Sleep,
  abortReason,
  abortableSleep,
  fullJitterDelay,
} from './timing';

/** What the client needs from a logger (Nest's Logger fits). Never given a secret. */
export interface RedditLogger {
  warn(message: string): void;
}

export interface RedditApiClientOptions {
  readonly config: RedditClientConfig;
  readonly clock: Clock;
  /** Default: FetchRedditHttp. */
  readonly http?: RedditHttp;
  /** Default: the process-wide budget of config.clientId (RateLimitBudgets.for). */
  readonly budget?: RateLimitBudget;
  /** Backoff for transient failures; default 1 s doubling to 30 s, full jitter. */
  readonly retry?: BackoffPolicy;
  readonly random?: () => number;
  readonly sleep?: Sleep;
  readonly logger?: RedditLogger;
}

export interface RedditCallOptions {
  /** Aborting makes the call reject promptly with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Attempts before a transient failure becomes AppError('DEPENDENCY_UNAVAILABLE').
   * Default: unlimited, for streams, which wait out any outage until stopped.
   */
  readonly maxAttempts?: number;
  /** Told about every transient failure the call recovers from (for status). */
  readonly onTransientError?: (message: string) => void;
}

export type QueryParams = Readonly<Record<string, string | number | undefined>>;

/**
 * Authenticated GETs against Reddit's OAuth API. It sends Reddit's required
 * User-Agent and the bearer token, and always asks for raw_json=1 (unescaped
 * text). Every request draws from the client id's shared rate-limit budget.
 * Timeouts, connection errors, 408 and 5xx are retried with exponential backoff
 * and full jitter. A 429 waits for the window to reset, and a 401 gets one new
 * token and one more try. Any other status is returned for the caller to interpret.
 */
export class RedditApiClient {
  readonly tokens: RedditTokenManager;
  readonly budget: RateLimitBudget;
  private readonly http: RedditHttp;
  private readonly retry: BackoffPolicy;
  private readonly random: () => number;
  private readonly sleep: Sleep;
  private lastErrorMessage: string | null = null;

  constructor(private readonly options: RedditApiClientOptions) {
    this.http = options.http ?? new FetchRedditHttp();
    this.tokens = new RedditTokenManager(options.config, this.http, options.clock);
    this.budget = options.budget ?? RateLimitBudgets.for(options.config.clientId, options.clock);
    this.retry = options.retry ?? DEFAULT_RETRY_BACKOFF;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? abortableSleep;
  }

  get config(): RedditClientConfig {
    return this.options.config;
  }

  /** The last transient failure any call of this client recovered from. */
  get lastError(): string | null {
    return this.lastErrorMessage;
  }

  /** GET `path` (e.g. "/r/pics/new") with `query` plus raw_json=1. */
  async get(
    path: string,
    query: QueryParams = {},
    options: RedditCallOptions = {},
  ): Promise<RedditHttpResponse> {
    const { signal } = options;
    const maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
    const url = this.url(path, query);
    const what = `GET ${path}`;
    let failures = 0;
    let refreshedToken = false;

    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      let token: string;
      try {
        token = await this.tokens.token(signal);
      } catch (error) {
        if (!(error instanceof RedditTransientError) || signal?.aborted) throw error;
        failures++;
        await this.recover(
          what,
          `getting an access token: ${error.message}`,
          failures,
          options,
          error.retryAfterMs,
        );
        continue;
      }

      const permit = await this.budget.acquire(signal);
      let response: RedditHttpResponse;
      try {
        response = await this.http.request({
          method: 'GET',
          url,
          headers: {
            Authorization: `bearer ${token}`,
            'User-Agent': this.options.config.userAgent,
            Accept: 'application/json',
          },
          timeoutMs: this.options.config.requestTimeoutMs,
          signal,
        });
        permit.settle(response.headers);
      } catch (error) {
        permit.settle(null);
        if (!(error instanceof RedditTransientError) || signal?.aborted) throw error;
        failures++;
        await this.recover(what, error.message, failures, options, null);
        continue;
      }

      const { status } = response;
      if (status === 401) {
        if (refreshedToken) {
          throw new AppError(
            'UNAUTHORIZED',
            `Reddit refused a freshly issued access token for ${what} (HTTP 401)`,
          );
        }
        refreshedToken = true;
        this.tokens.invalidate(token);
        this.note(
          what,
          'HTTP 401: the access token expired or was revoked; fetching a new one',
          options,
        );
        continue;
      }
      if (status === 429) {
        const seconds = throttleSeconds(response.headers);
        this.budget.throttled(seconds);
        failures++;
        const wait = seconds !== null ? `${seconds} s` : 'the default time';
        this.giveUpIfExhausted(what, `HTTP 429 Too Many Requests`, failures, maxAttempts);
        this.note(
          what,
          `HTTP 429 Too Many Requests; waiting ${wait} for the rate-limit window to reset`,
          options,
        );
        continue;
      }
      if (status === 408 || status >= 500) {
        failures++;
        await this.recover(what, `HTTP ${status}`, failures, options, null);
        continue;
      }
      return response;
    }
  }

  /** GET /r/{subreddit}/about, interpreted: the subreddit, or AppError NOT_FOUND / FORBIDDEN. */
  async about(subreddit: string, options: RedditCallOptions = {}): Promise<SubredditAbout> {
    const name = subreddit.replace(/^\/?r\//i, '');
    if (!SUBREDDIT_NAME_PATTERN.test(name)) {
      throw new AppError('INVALID_INPUT', `"${subreddit}" is not a valid subreddit name`, {
        subreddit,
        reason: 'invalid_name',
      });
    }
    const response = await this.get(
      `/r/${name}/about`,
      {},
      {
        maxAttempts: 4,
        ...options,
      },
    );
    return interpretAboutResponse(name, response);
  }

  private url(path: string, query: QueryParams): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) params.set(key, String(value));
    }
    params.set('raw_json', '1');
    return `${this.options.config.apiBaseUrl}${path}?${params.toString()}`;
  }

  private giveUpIfExhausted(
    what: string,
    reason: string,
    failures: number,
    maxAttempts: number,
  ): void {
    if (failures >= maxAttempts) {
      throw new AppError(
        'DEPENDENCY_UNAVAILABLE',
        `Reddit did not answer ${what} after ${failures} attempts: ${reason}`,
      );
    }
  }

  /** Reports a transient failure, then waits the backoff (or what Reddit asked for). */
  private async recover(
    what: string,
    reason: string,
    failures: number,
    options: RedditCallOptions,
    retryAfterMs: number | null,
  ): Promise<void> {
    this.giveUpIfExhausted(what, reason, failures, options.maxAttempts ?? Number.POSITIVE_INFINITY);
    const delay = Math.max(
      retryAfterMs ?? 0,
      fullJitterDelay(failures - 1, this.retry, this.random),
    );
    this.note(what, `${reason}; retrying in ${delay} ms`, options);
    await this.sleep(delay, options.signal);
  }

  private note(what: string, message: string, options: RedditCallOptions): void {
    const text = `${what}: ${message}`;
    this.lastErrorMessage = text;
    this.options.logger?.warn(text);
    options.onTransientError?.(text);
  }
}
