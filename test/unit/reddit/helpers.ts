import { type ManualClock } from '@app/common/clock';
import { type RedditClientConfig } from '@app/ingest/sources/reddit/reddit-config';
import {
  RedditHttp,
  type RedditHttpRequest,
  type RedditHttpResponse,
} from '@app/ingest/sources/reddit/reddit-http';
import { type Sleep } from '@app/ingest/sources/reddit/timing';

export const T0 = Date.UTC(2025, 10, 1, 12, 0, 0);

export const CONFIG: RedditClientConfig = {
  authBaseUrl: 'https://auth.test',
  apiBaseUrl: 'https://api.test',
  clientId: 'client',
  clientSecret: 'S3CR3T-value',
  userAgent: 'nodejs:reddit-live-analytics:0.1.0 (by /u/test_bot)',
  requestTimeoutMs: 5_000,
};

export type Responder = (
  request: RedditHttpRequest,
) => RedditHttpResponse | Promise<RedditHttpResponse>;

export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): RedditHttpResponse {
  return { status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

export const TOKEN_GRANT = (token = 'tok-1', expiresIn = 3600): RedditHttpResponse =>
  json(200, { access_token: token, token_type: 'bearer', expires_in: expiresIn, scope: '*' });

/**
 * A RedditHttp that answers token requests with `token` (numbered tokens by
 * default) and API requests from a queue of responders, then `fallback`.
 */
export class ScriptedHttp extends RedditHttp {
  readonly requests: RedditHttpRequest[] = [];
  readonly api: Responder[] = [];
  readonly auth: Responder[] = [];
  fallback: Responder = () => json(200, { kind: 'Listing', data: { children: [] } });
  private tokenCount = 0;

  request(request: RedditHttpRequest): Promise<RedditHttpResponse> {
    this.requests.push(request);
    const isToken = request.url.includes('/api/v1/access_token');
    const responder = isToken
      ? (this.auth.shift() ?? (() => TOKEN_GRANT(`tok-${++this.tokenCount}`)))
      : (this.api.shift() ?? this.fallback);
    try {
      return Promise.resolve(responder(request));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  get tokenRequests(): RedditHttpRequest[] {
    return this.requests.filter((r) => r.url.includes('/api/v1/access_token'));
  }

  get apiRequests(): RedditHttpRequest[] {
    return this.requests.filter((r) => !r.url.includes('/api/v1/access_token'));
  }
}

/** A Sleep that advances the manual clock instead of waiting, and records each wait. */
export function manualSleep(clock: ManualClock): { sleep: Sleep; waits: number[] } {
  const waits: number[] = [];
  const sleep: Sleep = (ms, signal) => {
    if (signal?.aborted) return Promise.reject(new Error('aborted'));
    waits.push(ms);
    clock.advance(ms);
    return Promise.resolve();
  };
  return { sleep, waits };
}

/** Lets pending promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
