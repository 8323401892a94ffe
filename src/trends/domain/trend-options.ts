import { type BaselineOptions } from './rate-baseline';

/** How sure and how big a rise must be before it is reported. */
export interface TrendOptions extends BaselineOptions {
  /** A known term must reach this count in the minute. */
  readonly minSupport: number;
  /** A term new to the scope (less than `warmupMinutes` of history) must reach this. */
  readonly newTermSupport: number;
  /** Minutes a scope learns before it reports anything, and a term before it is no longer new. */
  readonly warmupMinutes: number;
  /** The least expected count per minute: an unseen term is expected this often. */
  readonly floorRate: number;
  /** The minute's count over the expected one. */
  readonly minRatio: number;
  /** Standard deviations above the expected count (Poisson plus the series' own variance). */
  readonly minScore: number;
  /**
   * 1 minus the Poisson probability of at least this count at the expected
   * rate (over one minute, or the last two). Strict, because every term of
   * every subreddit is tested every minute.
   */
  readonly minConfidence: number;
  /** Terms kept per scope and kind; the least active are forgotten beyond it. */
  readonly capacity: number;
}

export const DEFAULT_TREND_OPTIONS: TrendOptions = {
  fastAlpha: 2 / 31,
  slowAlpha: 2 / 361,
  minSupport: 5,
  newTermSupport: 8,
  warmupMinutes: 10,
  floorRate: 0.2,
  minRatio: 3,
  minScore: 4,
  minConfidence: 0.999_997,
  capacity: 5_000,
};
