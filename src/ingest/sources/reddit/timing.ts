/**
 * Waiting and backoff, injected everywhere so unit tests can replace real
 * timers with a ManualClock (a test `Sleep` simply advances the clock).
 */

/** Waits `ms`; rejects with the signal's reason as soon as `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const abortableSleep: Sleep = (ms, signal) => {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
};

/** Resolves with `promise`, or rejects as soon as `signal` aborts (the promise keeps running). */
export function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
}

/** Retries of transient failures: 1 s doubling up to 30 s, full jitter. */
export const DEFAULT_RETRY_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 30_000 };

/** Polls that found nothing new: 1, 2, 4, 8, 16 s. */
export const DEFAULT_EMPTY_POLL_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 16_000 };

function exponential(step: number, policy: BackoffPolicy): number {
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, step));
}

/**
 * "Full jitter": a uniformly random delay in [0, min(cap, base * 2^attempt)),
 * attempt counting from 0. Spreads the retries of many clients after a shared
 * outage instead of having them hit Reddit in lock-step.
 */
export function fullJitterDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number,
): number {
  return Math.floor(random() * exponential(attempt, policy));
}

/**
 * Delay after the `streak`-th consecutive poll that found nothing new (from 1):
 * base, 2 base, 4 base ... up to cap, each shortened by up to 20 % at random so
 * the pollers of different streams drift apart. Never longer than the schedule.
 */
export function emptyPollDelay(
  streak: number,
  policy: BackoffPolicy,
  random: () => number,
): number {
  const nominal = exponential(streak - 1, policy);
  return Math.round(nominal * (1 - 0.2 * random()));
}
