import { type Clock } from '@app/common/clock';

/** 'max': as fast as the consumer pulls; 'realtime': the dump's own pace; N: real time × N. */
export type ReplaySpeed = 'max' | 'realtime' | number;

/** Waits `ms`, or less if `signal` aborts first; never rejects. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export const abortableSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted || ms <= 0) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/** The replay speed as a multiple of real time; null for 'max' (no pacing). */
export function speedFactor(speed: ReplaySpeed): number | null {
  if (speed === 'max') return null;
  if (speed === 'realtime') return 1;
  if (typeof speed !== 'number' || !Number.isFinite(speed) || speed <= 0) {
    throw new RangeError(`speed must be 'max', 'realtime' or a positive number, got ${speed}`);
  }
  return speed;
}

/**
 * Decides when each replayed item is due. The schedule is anchored at the first
 * item (its created_utc, and the clock when it went out), so item k is due at
 * start + (created_k − created_0) / speed. Anchoring, rather than sleeping for
 * each gap, keeps a slow consumer from adding drift: a replay that fell behind
 * catches up. Items older than ones already sent are due at once.
 */
export class ReplayPacer {
  private anchor: { readonly wallMs: number; readonly eventUtc: number } | null = null;

  constructor(
    private readonly factor: number | null,
    private readonly clock: Clock,
  ) {}

  /** Milliseconds to wait before sending an item created at `createdUtc` (Unix seconds). */
  delayBefore(createdUtc: number): number {
    if (this.factor === null) return 0;
    const now = this.clock.now();
    if (this.anchor === null) {
      this.anchor = { wallMs: now, eventUtc: createdUtc };
      return 0;
    }
    const dueMs = this.anchor.wallMs + ((createdUtc - this.anchor.eventUtc) * 1000) / this.factor;
    return Math.max(0, Math.ceil(dueMs - now));
  }
}
