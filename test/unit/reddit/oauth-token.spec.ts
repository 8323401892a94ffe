import { AppError } from '@app/common/app-error';
import { ManualClock } from '@app/common/clock';
import { RedditTokenManager, refreshMarginMs } from '@app/ingest/sources/reddit/oauth-token';
import { RedditTransientError } from '@app/ingest/sources/reddit/reddit-http';
import { CONFIG, ScriptedHttp, T0, TOKEN_GRANT, json } from './helpers';

function setup(config = CONFIG) {
  const clock = new ManualClock(T0);
  const http = new ScriptedHttp();
  return { clock, http, tokens: new RedditTokenManager(config, http, clock) };
}

describe('RedditTokenManager', () => {
  it('asks for a client_credentials token with HTTP Basic auth and the user agent', async () => {
    const { http, tokens } = setup();
    await expect(tokens.token()).resolves.toBe('tok-1');
    const [request] = http.requests;
    expect(request).toMatchObject({
      method: 'POST',
      url: 'https://auth.test/api/v1/access_token',
      body: 'grant_type=client_credentials',
      timeoutMs: 5000,
    });
    // base64("client:S3CR3T-value")
    expect(request?.headers).toMatchObject({
      Authorization: 'Basic Y2xpZW50OlMzQ1IzVC12YWx1ZQ==',
      'Content-Type': 'application/x-www-form-urlencoded',
      'User-Agent': CONFIG.userAgent,
    });
  });

  it('uses the password ("script") grant when a username and password are set', async () => {
    const { http, tokens } = setup({ ...CONFIG, username: 'test_bot', password: 'p@ss word' });
    await tokens.token();
    expect(http.requests[0]?.body).toBe(
      'grant_type=password&username=test_bot&password=p%40ss+word',
    );
  });

  it('caches the token and replaces it 60 s before a one-hour token expires', async () => {
    const { clock, http, tokens } = setup();
    await tokens.token();
    clock.advance(3_540_000 - 1);
    await expect(tokens.token()).resolves.toBe('tok-1');
    expect(http.tokenRequests).toHaveLength(1);
    clock.advance(1);
    await expect(tokens.token()).resolves.toBe('tok-2');
    expect(http.tokenRequests).toHaveLength(2);
    expect(tokens.expiresAtMs).toBe(T0 + 3_540_000 + 3_600_000);
  });

  it('keeps a margin of 10 % for short-lived tokens', async () => {
    expect(refreshMarginMs(3_600_000)).toBe(60_000);
    expect(refreshMarginMs(86_400_000)).toBe(60_000);
    expect(refreshMarginMs(300_000)).toBe(30_000);
    const { clock, http, tokens } = setup();
    http.auth.push(() => TOKEN_GRANT('short', 300));
    await tokens.token();
    clock.advance(269_999);
    await expect(tokens.token()).resolves.toBe('short');
    clock.advance(1);
    await expect(tokens.token()).resolves.toBe('tok-1');
  });

  it('fetches once for concurrent callers', async () => {
    const { http, tokens } = setup();
    const all = await Promise.all([tokens.token(), tokens.token(), tokens.token()]);
    expect(all).toEqual(['tok-1', 'tok-1', 'tok-1']);
    expect(http.tokenRequests).toHaveLength(1);
  });

  it('invalidate() drops only the token it names', async () => {
    const { http, tokens } = setup();
    await tokens.token();
    tokens.invalidate('some-older-token');
    await expect(tokens.token()).resolves.toBe('tok-1');
    tokens.invalidate('tok-1');
    await expect(tokens.token()).resolves.toBe('tok-2');
    expect(http.tokenRequests).toHaveLength(2);
  });

  it('maps refusals to UNAUTHORIZED and never puts the secret in a message', async () => {
    const cases = [
      json(401, { message: 'Unauthorized', error: 401 }),
      json(200, { error: 'invalid_grant' }),
      json(400, { error: 'unsupported_grant_type' }),
    ];
    for (const response of cases) {
      const { http, tokens } = setup({ ...CONFIG, username: 'u', password: 'hunter2' });
      http.auth.push(() => response);
      const error = await tokens.token().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'UNAUTHORIZED' });
      const message = (error as Error).message;
      expect(message).not.toContain(CONFIG.clientSecret);
      expect(message).not.toContain('hunter2');
    }
  });

  it('reports 5xx, 408 and 429 as transient, with the wait a 429 asks for', async () => {
    for (const status of [500, 502, 503, 408]) {
      const { http, tokens } = setup();
      http.auth.push(() => json(status, ''));
      await expect(tokens.token()).rejects.toBeInstanceOf(RedditTransientError);
    }
    const { http, tokens } = setup();
    http.auth.push(() => json(429, '', { 'x-ratelimit-reset': '12' }));
    await expect(tokens.token()).rejects.toMatchObject({ retryAfterMs: 12_000, status: 429 });
    // The next call tries again.
    await expect(tokens.token()).resolves.toBe('tok-1');
  });
});
