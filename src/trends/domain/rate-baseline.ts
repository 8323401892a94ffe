/**
 * A series' expected count per minute, from its own history: two
 * exponentially weighted means (a fast one that follows the last half hour,
 * a slow one over the last few hours) and the fast one's variance. The
 * expectation is the larger mean: after a quiet spell (night, a lull) the
 * fast mean has dropped but the slow one remembers the usual level, so a
 * return to normal is not taken for a surge; a real surge is above both.
 *
 * Minutes without events count as zeros, applied lazily when the series
 * next moves, so a quiet term costs nothing per minute.
 */
export interface RateBaselineJSON {
  readonly fast: number;
  readonly slow: number;
  readonly variance: number;
  /** The last minute folded in (its start, ms). */
  readonly lastMinuteMs: number;
  /** Minutes folded in since the series began. */
  readonly minutes: number;
}

export interface BaselineOptions {
  /** Smoothing of the fast mean and variance per minute (e.g. 2/31: about 30 minutes). */
  readonly fastAlpha: number;
  /** Smoothing of the slow mean per minute (e.g. 2/361: about 6 hours). */
  readonly slowAlpha: number;
}

const MINUTE_MS = 60_000;
/** Beyond this many empty minutes a mean is as good as zero: stop stepping. */
const MAX_ZERO_STEPS = 2_000;

export class RateBaseline {
  private constructor(
    private fast: number,
    private slow: number,
    private variance: number,
    private lastMinuteMs: number,
    private minutesSeen: number,
  ) {}

  /** A series first seen at `minuteMs`, with nothing before it. */
  static startingAt(minuteMs: number): RateBaseline {
    return new RateBaseline(0, 0, 0, minuteMs - MINUTE_MS, 0);
  }

  static fromJSON(json: RateBaselineJSON): RateBaseline {
    return new RateBaseline(json.fast, json.slow, json.variance, json.lastMinuteMs, json.minutes);
  }

  toJSON(): RateBaselineJSON {
    return {
      fast: this.fast,
      slow: this.slow,
      variance: this.variance,
      lastMinuteMs: this.lastMinuteMs,
      minutes: this.minutesSeen,
    };
  }

  /** Minutes of history behind the expectation. */
  get minutes(): number {
    return this.minutesSeen;
  }

  /** Minutes of history behind the expectation for `minuteMs`: those folded in and the empty ones since. */
  historyAt(minuteMs: number): number {
    return this.minutesSeen + this.emptyMinutesBefore(minuteMs);
  }

  get lastMinute(): number {
    return this.lastMinuteMs;
  }

  /** The expected count for a minute after the last one folded in (the empty ones between included). */
  expectedAt(minuteMs: number, options: BaselineOptions): { mean: number; variance: number } {
    const gap = this.emptyMinutesBefore(minuteMs);
    const fastKeep = (1 - options.fastAlpha) ** gap;
    const slowKeep = (1 - options.slowAlpha) ** gap;
    // The means start from zero: divided by the weight their minutes carry
    // so far, a young series is not taken to be quieter than it is.
    const n = this.minutesSeen + gap;
    const fastWeight = 1 - (1 - options.fastAlpha) ** n;
    const slowWeight = 1 - (1 - options.slowAlpha) ** n;
    if (fastWeight <= 0) return { mean: 0, variance: 0 };
    return {
      mean: Math.max((this.fast * fastKeep) / fastWeight, (this.slow * slowKeep) / slowWeight),
      variance: (this.variance * fastKeep) / fastWeight,
    };
  }

  /** Folds in the count of `minuteMs` (later than the last one), after the empty minutes before it. */
  add(minuteMs: number, count: number, options: BaselineOptions): void {
    const gap = Math.min(this.emptyMinutesBefore(minuteMs), MAX_ZERO_STEPS);
    for (let i = 0; i < gap; i++) this.step(0, options);
    this.minutesSeen += this.emptyMinutesBefore(minuteMs) - gap;
    this.step(count, options);
    this.lastMinuteMs = minuteMs;
  }

  private emptyMinutesBefore(minuteMs: number): number {
    return Math.max(0, Math.round((minuteMs - this.lastMinuteMs) / MINUTE_MS) - 1);
  }

  private step(x: number, { fastAlpha, slowAlpha }: BaselineOptions): void {
    const diff = x - this.fast;
    const increment = fastAlpha * diff;
    this.fast += increment;
    this.variance = (1 - fastAlpha) * (this.variance + diff * increment);
    this.slow += slowAlpha * (x - this.slow);
    this.minutesSeen++;
  }
}
