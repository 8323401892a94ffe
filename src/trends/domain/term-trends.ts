import { poissonUpperTail } from './poisson';
import { RateBaseline, type RateBaselineJSON } from './rate-baseline';
import { type TrendOptions } from './trend-options';

const MINUTE_MS = 60_000;

/** A term counted well above its own recent rate in one minute. */
export interface RisingTerm {
  /** A subreddit, or "*" for all of them. */
  readonly scope: string;
  /** keyword, subreddit, user, domain, ticker, hashtag. */
  readonly kind: string;
  readonly term: string;
  /** The minute judged (its start). */
  readonly minuteMs: number;
  /** Count in that minute. */
  readonly count: number;
  /** The count its history predicted for that minute. */
  readonly expected: number;
  /** Standard deviations above the expectation. */
  readonly score: number;
  /** 1 minus the Poisson probability of at least `count` at the expected rate. */
  readonly confidence: number;
  /** First minute of the rise that this minute continues. */
  readonly risingSinceMs: number;
  /** The term had less than the warm-up's history in this scope. */
  readonly isNew: boolean;
}

interface TermState {
  readonly baseline: RateBaseline;
  risingSinceMs: number | null;
  lastRisingMs: number | null;
  /** The count of the baseline's last minute, and what was expected of it (for two-minute sums). */
  previous: number;
  previousExpected: number;
}

export interface TermTableJSON {
  readonly firstMinuteMs: number;
  readonly lastMinuteMs: number;
  readonly terms: readonly [
    term: string,
    baseline: RateBaselineJSON,
    risingSinceMs: number | null,
    lastRisingMs: number | null,
    previous: number,
    previousExpected: number,
  ][];
}

/**
 * The terms of one scope and kind, each with the baseline of its own counts
 * per minute. Memory is bounded: beyond the capacity the terms expected
 * least often are forgotten (a forgotten term that comes back is new again,
 * so it needs the new-term support), never one that is rising.
 */
export class TermTable {
  private readonly terms = new Map<string, TermState>();

  private constructor(
    private firstMinuteMs: number | null,
    private lastMinuteMs: number | null,
  ) {}

  static empty(): TermTable {
    return new TermTable(null, null);
  }

  static fromJSON(json: TermTableJSON): TermTable {
    const table = new TermTable(json.firstMinuteMs, json.lastMinuteMs);
    for (const [term, baseline, risingSinceMs, lastRisingMs, previous, expected] of json.terms) {
      table.terms.set(term, {
        baseline: RateBaseline.fromJSON(baseline),
        risingSinceMs,
        lastRisingMs,
        previous,
        previousExpected: expected,
      });
    }
    return table;
  }

  toJSON(): TermTableJSON {
    return {
      firstMinuteMs: this.firstMinuteMs ?? 0,
      lastMinuteMs: this.lastMinuteMs ?? 0,
      terms: [...this.terms].map(([term, s]) => [
        term,
        s.baseline.toJSON(),
        s.risingSinceMs,
        s.lastRisingMs,
        s.previous,
        s.previousExpected,
      ]),
    };
  }

  get size(): number {
    return this.terms.size;
  }

  /**
   * Judges one completed minute's counts against each term's history, then
   * folds them in. Minutes must come in order; a minute at or before the last
   * one is ignored (a replay of what was already judged).
   */
  observe(
    scope: string,
    kind: string,
    minuteMs: number,
    counts: ReadonlyMap<string, number>,
    options: TrendOptions,
  ): RisingTerm[] {
    if (this.lastMinuteMs !== null && minuteMs <= this.lastMinuteMs) return [];
    this.firstMinuteMs ??= minuteMs;
    this.lastMinuteMs = minuteMs;
    const warm = (minuteMs - this.firstMinuteMs) / MINUTE_MS >= options.warmupMinutes;
    const rising: RisingTerm[] = [];
    for (const [term, count] of counts) {
      let state = this.terms.get(term);
      if (!state) {
        state = {
          baseline: RateBaseline.startingAt(minuteMs),
          risingSinceMs: null,
          lastRisingMs: null,
          previous: 0,
          // As if a minute with nothing, expected at the floor, came before.
          previousExpected: options.floorRate,
        };
        this.terms.set(term, state);
      }
      const { mean, variance } = state.baseline.expectedAt(minuteMs, options);
      // Never below the floor: an unseen term is expected this often.
      const expected = Math.max(mean, options.floorRate);
      // The minute before counts when it was this term's last one (else it had none).
      const previous =
        state.baseline.lastMinute === minuteMs - MINUTE_MS
          ? { count: state.previous, expected: state.previousExpected }
          : { count: 0, expected };
      const judged = warm
        ? judge(state.baseline, { expected, variance }, count, previous, options)
        : null;
      if (judged) {
        const continues =
          state.risingSinceMs !== null && state.lastRisingMs === minuteMs - MINUTE_MS;
        state.risingSinceMs = continues ? (state.risingSinceMs ?? minuteMs) : minuteMs;
        state.lastRisingMs = minuteMs;
        rising.push({
          scope,
          kind,
          term,
          minuteMs,
          count,
          ...judged,
          risingSinceMs: state.risingSinceMs,
        });
      }
      state.baseline.add(
        minuteMs,
        foldedCount(state.baseline, { expected, variance }, count, options),
        options,
      );
      state.previous = count;
      state.previousExpected = expected;
    }
    if (this.terms.size > options.capacity * 1.25) this.trim(minuteMs, options);
    return rising.sort((a, b) => b.score - a.score || a.term.localeCompare(b.term));
  }

  /** Keeps the `capacity` terms expected most often now (and every one rising). */
  private trim(minuteMs: number, options: TrendOptions): void {
    const ranked = [...this.terms]
      .map(([term, s]) => ({ term, s, mean: s.baseline.expectedAt(minuteMs, options).mean }))
      .sort((a, b) => b.mean - a.mean || a.term.localeCompare(b.term));
    for (const { term, s } of ranked.slice(options.capacity)) {
      if (s.lastRisingMs !== minuteMs) this.terms.delete(term);
    }
  }
}

/**
 * The rise of `count` over what `baseline` expected at `minuteMs`, or null
 * when it is not one. Judged on the minute alone and on the last two minutes
 * together, the stronger of the two: a 20x surge shows in its first minute,
 * a 5x one on a rare term needs the second (two minutes of evidence are what
 * keeps thousands of terms per subreddit from raising chance alarms).
 */
function judge(
  baseline: RateBaseline,
  { expected, variance }: { readonly expected: number; readonly variance: number },
  count: number,
  previous: { readonly count: number; readonly expected: number },
  options: TrendOptions,
): Pick<RisingTerm, 'expected' | 'score' | 'confidence' | 'isNew'> | null {
  const isNew = baseline.minutes < options.warmupMinutes;
  const support = isNew ? options.newTermSupport : options.minSupport;
  if (count < support) return null;
  // The Poisson spread, or the series' own when it varies more (bursty terms).
  const spread = Math.max(expected, variance);
  let best: { score: number; p: number } | null = null;
  // Two minutes against what was expected of each before either was folded
  // in: the first minute of a surge has not yet lifted the second's baseline.
  for (const [observed, lambda, minutes] of [
    [count, expected, 1],
    [count + previous.count, expected + previous.expected, 2],
  ] as const) {
    if (observed < lambda * options.minRatio) continue;
    // Two minutes speak for this one only while it is still well above its
    // expectation: the minute after a spike is not a rise of its own.
    if (minutes === 2 && count < 2 * expected) continue;
    const score = (observed - lambda) / Math.sqrt(spread * minutes);
    if (score < options.minScore) continue;
    const p = poissonUpperTail(observed, lambda);
    if (!best || p < best.p) best = { score, p };
  }
  if (!best || 1 - best.p < options.minConfidence) return null;
  return { expected, score: best.score, confidence: 1 - best.p, isNew };
}

/**
 * What a minute adds to the baseline: its count, clipped to a few standard
 * deviations above the expectation once the term has a history. A surge
 * then lifts the baseline a little each minute instead of all at once, so a
 * surge that lasts stays reported while it lasts, and a new normal level is
 * still learnt within a few dozen minutes.
 */
function foldedCount(
  baseline: RateBaseline,
  { expected, variance }: { readonly expected: number; readonly variance: number },
  count: number,
  options: TrendOptions,
): number {
  if (baseline.minutes < options.warmupMinutes) return count;
  return Math.min(count, expected + 2 * Math.sqrt(expected + variance));
}
