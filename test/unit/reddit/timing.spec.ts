import {
  DEFAULT_EMPTY_POLL_BACKOFF,
  DEFAULT_RETRY_BACKOFF,
  abortableSleep,
  emptyPollDelay,
  fullJitterDelay,
} from '@app/ingest/sources/reddit/timing';

describe('fullJitterDelay (retries of transient failures)', () => {
  it('defaults to 1 s doubling, capped at 30 s', () => {
    expect(DEFAULT_RETRY_BACKOFF).toEqual({ baseMs: 1000, capMs: 30_000 });
  });

  it('draws uniformly below min(cap, base * 2^attempt)', () => {
    const ceilings = [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000];
    ceilings.forEach((ceiling, attempt) => {
      expect(fullJitterDelay(attempt, DEFAULT_RETRY_BACKOFF, () => 0)).toBe(0);
      expect(fullJitterDelay(attempt, DEFAULT_RETRY_BACKOFF, () => 0.5)).toBe(ceiling / 2);
      const top = fullJitterDelay(attempt, DEFAULT_RETRY_BACKOFF, () => 0.999_999);
      expect(top).toBeLessThan(ceiling);
      expect(top).toBeGreaterThanOrEqual(ceiling - 1);
    });
  });

  it('stays within bounds for any random draw, however many attempts', () => {
    for (let attempt = 0; attempt < 2000; attempt += 7) {
      const delay = fullJitterDelay(attempt, DEFAULT_RETRY_BACKOFF, Math.random);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(30_000);
    }
  });
});

describe('emptyPollDelay', () => {
  it('follows 1, 2, 4, 8, 16, 16 s without jitter', () => {
    expect(DEFAULT_EMPTY_POLL_BACKOFF).toEqual({ baseMs: 1000, capMs: 16_000 });
    const delays = [1, 2, 3, 4, 5, 6, 7].map((streak) =>
      emptyPollDelay(streak, DEFAULT_EMPTY_POLL_BACKOFF, () => 0),
    );
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 16_000, 16_000]);
  });

  it('jitter shortens each step by at most 20 %', () => {
    [1000, 2000, 4000, 8000, 16_000].forEach((nominal, index) => {
      const low = emptyPollDelay(index + 1, DEFAULT_EMPTY_POLL_BACKOFF, () => 0.999_999);
      expect(low).toBeGreaterThanOrEqual(nominal * 0.8);
      expect(low).toBeLessThan(nominal);
      expect(emptyPollDelay(index + 1, DEFAULT_EMPTY_POLL_BACKOFF, () => 0.5)).toBe(nominal * 0.9);
    });
  });
});

describe('abortableSleep', () => {
  it('rejects as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const sleeping = abortableSleep(60_000, controller.signal);
    setTimeout(() => controller.abort(), 10);
    await expect(sleeping).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('rejects at once when already aborted, and resolves after the time otherwise', async () => {
    await expect(abortableSleep(10, AbortSignal.abort())).rejects.toThrow();
    await expect(abortableSleep(5)).resolves.toBeUndefined();
  });
});
