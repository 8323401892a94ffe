import { type Clock } from '@app/common/clock';
import { type Sleep, abortableSleep, untilAborted } from './timing';

/** Reddit's rate-limit headers, parsed. All null when the response carried none. */
export interface RateLimitHeaders {
  readonly used: number | null;
  /** Requests left in the window; Reddit sends a float such as "599.0". */
  readonly remaining: number | null;
  /** Seconds until the window resets. */
  readonly resetSeconds: number | null;
}

function numberHeader(headers: Readonly<Record<string, string>>, name: string): number | null {
  const raw = headers[name] ?? headers[name.toLowerCase()];
  if (raw === undefined || raw.trim() === '') return null;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : null;
}

export function parseRateLimitHeaders(headers: Readonly<Record<string, string>>): RateLimitHeaders {
  return {
    used: numberHeader(headers, 'x-ratelimit-used'),
    remaining: numberHeader(headers, 'x-ratelimit-remaining'),
    resetSeconds: numberHeader(headers, 'x-ratelimit-reset'),
  };
}

/** Seconds a 429 asks us to wait: x-ratelimit-reset, else Retry-After (seconds), else null. */
export function throttleSeconds(headers: Readonly<Record<string, string>>): number | null {
  return numberHeader(headers, 'x-ratelimit-reset') ?? numberHeader(headers, 'retry-after');
}

/** One acquired request slot; settle it exactly once with the response's headers (or null). */
export interface RateLimitPermit {
  settle(headers: Readonly<Record<string, string>> | null): void;
}

export interface RateLimitBudgetOptions {
  /** How long to wait after a 429 that does not say how long. */
  readonly defaultThrottleMs?: number;
}

/**
 * The request budget Reddit advertises for one OAuth client, shared by every
 * stream using that client.
 *
 * Reddit counts requests per client in fixed windows and reports, on each
 * response, how many are left and how many seconds until the window resets.
 * Acquisitions are served one at a time, in order. Each waits until
 * `(time to reset) / remaining` has passed since the previous send, so the
 * remaining requests are spread over the rest of the window. With less than one
 * request left it waits for the reset. Requests still in flight are subtracted
 * from what a response reports, because Reddit may not have counted them yet.
 * While the budget is unknown (at start, and after a reset) only one request is
 * sent until its response tells us the new budget.
 */
export class RateLimitBudget {
  private knownRemaining: number | null = null;
  private resetAt: number | null = null;
  private lastSentAt: number | null = null;
  private inFlight = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private settledWaiters: Array<() => void> = [];
  private readonly defaultThrottleMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly sleep: Sleep = abortableSleep,
    options: RateLimitBudgetOptions = {},
  ) {
    this.defaultThrottleMs = options.defaultThrottleMs ?? 60_000;
  }

  /** Requests left in the current window, or null when unknown (or the window has reset). */
  get remaining(): number | null {
    return this.windowOpen(this.clock.now()) ? this.knownRemaining : null;
  }

  /** Unix ms when the current window resets, or null when unknown. */
  get resetAtMs(): number | null {
    return this.windowOpen(this.clock.now()) ? this.resetAt : null;
  }

  /** How long a request asked for now would wait, ignoring the queue. */
  delayMs(now: number = this.clock.now()): number {
    if (!this.windowOpen(now) || this.knownRemaining === null || this.resetAt === null) return 0;
    if (this.knownRemaining < 1) return this.resetAt - now;
    if (this.lastSentAt === null) return 0;
    const spacing = (this.resetAt - now) / this.knownRemaining;
    return Math.max(0, Math.ceil(this.lastSentAt + spacing - now));
  }

  /** Waits for this caller's turn and slot; rejects with the signal's reason on abort. */
  acquire(signal?: AbortSignal): Promise<RateLimitPermit> {
    const turn = this.queue.then(() => this.takeSlot(signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Records a 429: nothing more until the window resets (`resetSeconds`, or the default). */
  throttled(resetSeconds: number | null): void {
    const now = this.clock.now();
    this.knownRemaining = 0;
    this.resetAt = now + (resetSeconds !== null ? resetSeconds * 1000 : this.defaultThrottleMs);
  }

  private windowOpen(now: number): boolean {
    return this.resetAt !== null && now < this.resetAt;
  }

  private async takeSlot(signal: AbortSignal | undefined): Promise<RateLimitPermit> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      if (!this.windowOpen(now) && this.inFlight > 0) {
        // The budget is unknown: let the request in flight tell us what it is.
        await untilAborted(this.nextSettle(), signal);
        continue;
      }
      const wait = this.delayMs(now);
      if (wait <= 0) break;
      await this.sleep(wait, signal);
    }
    const now = this.clock.now();
    if (this.windowOpen(now) && this.knownRemaining !== null) {
      this.knownRemaining = Math.max(0, this.knownRemaining - 1);
    }
    this.lastSentAt = now;
    this.inFlight++;
    let settled = false;
    return {
      settle: (headers) => {
        if (settled) return;
        settled = true;
        this.inFlight--;
        if (headers) this.observe(headers);
        const waiters = this.settledWaiters;
        this.settledWaiters = [];
        for (const wake of waiters) wake();
      },
    };
  }

  private observe(headers: Readonly<Record<string, string>>): void {
    const { remaining, resetSeconds } = parseRateLimitHeaders(headers);
    if (remaining === null || resetSeconds === null) return;
    this.knownRemaining = Math.max(0, remaining - this.inFlight);
    this.resetAt = this.clock.now() + resetSeconds * 1000;
  }

  private nextSettle(): Promise<void> {
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }
}

/**
 * One budget per OAuth client id for the whole process: Reddit counts requests
 * per client, so every stream (and every about() check) using the same client
 * must draw from the same budget.
 */
export class RateLimitBudgets {
  private static readonly byClientId = new Map<string, RateLimitBudget>();

  /** The process-wide budget of `clientId`; the first caller's clock and options are used. */
  static for(
    clientId: string,
    clock: Clock,
    options: RateLimitBudgetOptions = {},
  ): RateLimitBudget {
    let budget = RateLimitBudgets.byClientId.get(clientId);
    if (!budget) {
      budget = new RateLimitBudget(clock, abortableSleep, options);
      RateLimitBudgets.byClientId.set(clientId, budget);
    }
    return budget;
  }
}
