import { AppError } from '@app/common/app-error';
import { ManualClock } from '@app/common/clock';
import { RedditApiClient } from '@app/ingest/sources/reddit/reddit-api-client';
import { RedditTransportError } from '@app/ingest/sources/reddit/reddit-http';
import { RateLimitBudget } from '@app/ingest/sources/reddit/rate-limit';
import { CONFIG, ScriptedHttp, T0, TOKEN_GRANT, json, manualSleep } from './helpers';

function setup(random = () => 0.5) {
  const clock = new ManualClock(T0);
  const http = new ScriptedHttp();
  const { sleep, waits } = manualSleep(clock);
  const warnings: string[] = [];
  const client = new RedditApiClient({
    config: CONFIG,
    clock,
    http,
    sleep,
    random,
    budget: new RateLimitBudget(clock, sleep),
    logger: { warn: (message) => warnings.push(message) },
  });
  return { clock, http, waits, warnings, client };
}

const OK = json(200, { kind: 'Listing', data: { children: [] } });

describe('RedditApiClient.get', () => {
  it('sends the user agent, the bearer token and raw_json=1 to the API host', async () => {
    const { http, client } = setup();
    await client.get('/r/pics+aww/new', { limit: 100, before: 't3_abc', after: undefined });
    const request = http.apiRequests[0];
    expect(request?.url).toBe('https://api.test/r/pics+aww/new?limit=100&before=t3_abc&raw_json=1');
    expect(request?.headers).toMatchObject({
      Authorization: 'bearer tok-1',
      'User-Agent': CONFIG.userAgent,
    });
    expect(request?.timeoutMs).toBe(CONFIG.requestTimeoutMs);
  });

  it('on a 401 fetches a new token once and retries once', async () => {
    const { http, client } = setup();
    http.api.push(() => json(401, { message: 'Unauthorized', error: 401 }));
    await expect(client.get('/r/pics/new')).resolves.toMatchObject({ status: 200 });
    expect(http.apiRequests.map((r) => r.headers.Authorization)).toEqual([
      'bearer tok-1',
      'bearer tok-2',
    ]);
    expect(http.tokenRequests).toHaveLength(2);
  });

  it('a second 401 in a row is UNAUTHORIZED, not a loop', async () => {
    const { http, client } = setup();
    http.fallback = () => json(401, { message: 'Unauthorized', error: 401 });
    const error = await client.get('/r/pics/new').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(http.apiRequests).toHaveLength(2);
    expect(http.tokenRequests).toHaveLength(2);
  });

  it('retries 408, 5xx, timeouts and dropped connections with exponential backoff and full jitter', async () => {
    const { http, client, waits, warnings } = setup();
    http.api.push(
      () => json(500, ''),
      () => json(502, ''),
      () => json(503, ''),
      () => json(408, ''),
      () => {
        throw new RedditTransportError('timeout', 'no response within 5000 ms');
      },
      () => {
        throw new RedditTransportError('connection', 'connection failed: other side closed');
      },
      () => json(504, ''),
    );
    const errors: string[] = [];
    await expect(
      client.get('/r/pics/new', {}, { onTransientError: (m) => errors.push(m) }),
    ).resolves.toMatchObject({ status: 200 });
    // random() = 0.5 of min(30 s, 1 s * 2^attempt)
    expect(waits).toEqual([500, 1000, 2000, 4000, 8000, 15_000, 15_000]);
    expect(errors).toHaveLength(7);
    expect(errors[4]).toMatch(
      /^GET \/r\/pics\/new: no response within 5000 ms; retrying in 8000 ms$/,
    );
    expect(client.lastError).toMatch(/HTTP 504/);
    expect(warnings).toEqual(errors);
    expect(warnings.join()).not.toContain('tok-');
  });

  it('jitter keeps each retry wait below its ceiling', async () => {
    const draws = [0.99, 0.01, 0.7];
    const { http, client, waits } = setup(() => draws.shift() ?? 0);
    http.api.push(
      () => json(500, ''),
      () => json(500, ''),
      () => json(500, ''),
    );
    await client.get('/r/pics/new');
    expect(waits).toEqual([990, 20, 2800]);
  });

  it('returns other 4xx at once, without retrying', async () => {
    for (const status of [400, 403, 404]) {
      const { http, client } = setup();
      http.api.push(() => json(status, { error: status }));
      await expect(client.get('/r/pics/about')).resolves.toMatchObject({ status });
      expect(http.apiRequests).toHaveLength(1);
    }
  });

  it('on a 429 waits until the window resets, then retries', async () => {
    const { http, client, waits } = setup();
    http.api.push(() =>
      json(429, '', { 'x-ratelimit-remaining': '0.0', 'x-ratelimit-reset': '7' }),
    );
    await client.get('/r/pics/new');
    expect(waits).toEqual([7000]);
    expect(http.apiRequests).toHaveLength(2);

    const other = setup();
    other.http.api.push(() => json(429, ''));
    await other.client.get('/r/pics/new');
    expect(other.waits).toEqual([60_000]);
  });

  it('retries a token endpoint outage as well', async () => {
    const { http, client, waits } = setup();
    http.auth.push(
      () => json(503, ''),
      () => TOKEN_GRANT('late-token'),
    );
    await client.get('/r/pics/new');
    expect(waits).toEqual([500]);
    expect(http.apiRequests[0]?.headers.Authorization).toBe('bearer late-token');
  });

  it('never gives up on a stream, but stops promptly when aborted', async () => {
    const clock = new ManualClock(T0);
    const http = new ScriptedHttp();
    http.fallback = () => json(503, '');
    const client = new RedditApiClient({
      config: CONFIG,
      clock,
      http,
      retry: { baseMs: 60_000, capMs: 60_000 },
      random: () => 1,
      budget: new RateLimitBudget(clock),
    });
    const controller = new AbortController();
    const started = Date.now();
    const call = client.get('/r/pics/new', {}, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(call).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(http.apiRequests).toHaveLength(1);
  });

  it('shares the budget between calls: spacing from the headers applies to the next call', async () => {
    const { http, client, waits } = setup();
    http.api.push(() =>
      json(200, OK.body, {
        'x-ratelimit-used': '1',
        'x-ratelimit-remaining': '599.0',
        'x-ratelimit-reset': '525',
      }),
    );
    await client.get('/r/pics/new');
    await client.get('/r/pics/comments');
    expect(waits).toEqual([877]);
    expect(client.budget.remaining).toBe(598);
  });
});
