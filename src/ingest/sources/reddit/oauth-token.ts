import { AppError } from '@app/common/app-error';
import { type Clock } from '@app/common/clock';
import { type RedditClientConfig, usesPasswordGrant } from './reddit-config';
import { type RedditHttp, type RedditHttpResponse, RedditTransientError } from './reddit-http';
import { throttleSeconds } from './rate-limit';
import { untilAborted } from './timing';

interface CachedToken {
  readonly value: string;
  /** Unix ms after which we no longer hand the token out. */
  readonly refreshAtMs: number;
  readonly expiresAtMs: number;
}

/** Refresh this long before expiry: 10 % of the lifetime, at most 60 s. */
export function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(60_000, lifetimeMs * 0.1);
}

const DEFAULT_LIFETIME_S = 3600;

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return null;
  }
}

function field(json: unknown, name: string): unknown {
  return typeof json === 'object' && json !== null
    ? (json as Record<string, unknown>)[name]
    : undefined;
}

/**
 * Application-only OAuth2 for Reddit: client_credentials, or the password
 * ("script") grant when a username and password are configured. Caches the
 * token, replaces it shortly before `expires_in` runs out, and fetches at most
 * one at a time however many callers ask. Neither the secret nor a token ever
 * appears in an error message.
 *
 * Throws RedditTransientError for failures worth retrying (timeouts, 5xx, 429)
 * and AppError('UNAUTHORIZED') when Reddit refuses the credentials.
 */
export class RedditTokenManager {
  private cached: CachedToken | null = null;
  private pending: Promise<CachedToken> | null = null;
  /** Tokens fetched so far (the first one included), for status. */
  private fetched = 0;
  private lastFetchedAtMs: number | null = null;

  constructor(
    private readonly config: RedditClientConfig,
    private readonly http: RedditHttp,
    private readonly clock: Clock,
  ) {}

  /** Unix ms when the cached token expires, for status; null when none is held. */
  get expiresAtMs(): number | null {
    return this.cached?.expiresAtMs ?? null;
  }

  /** How many tokens were fetched and when the last one was, for the stream's status. */
  get refreshes(): { readonly count: number; readonly lastAtMs: number | null } {
    return { count: this.fetched, lastAtMs: this.lastFetchedAtMs };
  }

  /** A token that is valid for at least the refresh margin. */
  async token(signal?: AbortSignal): Promise<string> {
    const cached = this.cached;
    if (cached && this.clock.now() < cached.refreshAtMs) return cached.value;
    if (!this.pending) {
      const pending = this.fetchToken().finally(() => {
        this.pending = null;
      });
      // A caller that aborts stops waiting; the fetch itself settles on its own timeout.
      pending.catch(() => undefined);
      this.pending = pending;
    }
    return (await untilAborted(this.pending, signal)).value;
  }

  /** Forgets `token` after the API refused it (401), unless a newer one replaced it already. */
  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = null;
  }

  private async fetchToken(): Promise<CachedToken> {
    const { config } = this;
    const passwordGrant = usesPasswordGrant(config);
    const form = new URLSearchParams(
      passwordGrant
        ? {
            grant_type: 'password',
            username: config.username ?? '',
            password: config.password ?? '',
          }
        : { grant_type: 'client_credentials' },
    );
    const requestedAt = this.clock.now();
    const basic = Buffer.from(`${config.clientId}:${config.clientSecret}`, 'utf8').toString(
      'base64',
    );
    const response = await this.http.request({
      method: 'POST',
      url: `${config.authBaseUrl}/api/v1/access_token`,
      headers: {
        Authorization: `Basic ${basic}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
        'User-Agent': config.userAgent,
      },
      body: form.toString(),
      timeoutMs: config.requestTimeoutMs,
    });
    return this.interpret(response, passwordGrant ? 'password' : 'client_credentials', requestedAt);
  }

  /** `requestedAt` starts the token's lifetime: Reddit's clock started no earlier. */
  private interpret(response: RedditHttpResponse, grant: string, requestedAt: number): CachedToken {
    const { status } = response;
    if (status === 429) {
      const seconds = throttleSeconds(response.headers);
      throw new RedditTransientError(
        'token endpoint answered HTTP 429',
        seconds !== null ? seconds * 1000 : null,
        status,
      );
    }
    if (status === 408 || status >= 500) {
      throw new RedditTransientError(`token endpoint answered HTTP ${status}`, null, status);
    }
    const json = parseJson(response.body);
    const error = field(json, 'error');
    if (status === 401 || status === 403) {
      throw new AppError(
        'UNAUTHORIZED',
        `Reddit rejected REDDIT_CLIENT_ID/REDDIT_CLIENT_SECRET (HTTP ${status} from the token endpoint)`,
      );
    }
    if (status !== 200 || error !== undefined) {
      // Reddit reports a wrong username or password as 200 {"error": "invalid_grant"}.
      const what = typeof error === 'string' ? error : `HTTP ${status}`;
      const hint = what === 'invalid_grant' ? ' (check REDDIT_USERNAME and REDDIT_PASSWORD)' : '';
      throw new AppError('UNAUTHORIZED', `Reddit refused the ${grant} grant: ${what}${hint}`);
    }
    const accessToken = field(json, 'access_token');
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new RedditTransientError(
        'token endpoint answered without an access_token',
        null,
        status,
      );
    }
    const expiresIn = field(json, 'expires_in');
    const lifetimeMs =
      (typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : DEFAULT_LIFETIME_S) * 1000;
    this.fetched++;
    this.lastFetchedAtMs = this.clock.now();
    this.cached = {
      value: accessToken,
      expiresAtMs: requestedAt + lifetimeMs,
      refreshAtMs: requestedAt + lifetimeMs - refreshMarginMs(lifetimeMs),
    };
    return this.cached;
  }
}
