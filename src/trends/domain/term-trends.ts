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
}

export interface TermTableJSON {
  readonly firstMinuteMs: number;
  readonly lastMinuteMs: number;
  readonly terms: readonly [
    term: string,
    baseline: RateBaselineJSON,
    risingSinceMs: number | null,
    lastRisingMs: number | null,
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
    for (const [term, baseline, risingSinceMs, lastRisingMs] of json.terms)
      table.terms.set(term, {
        baseline: RateBaseline.fromJSON(baseline),
        risingSinceMs,
        lastRisingMs,
      });
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
        };
        this.terms.set(term, state);
      }
      const judged = warm ? judge(state.baseline, minuteMs, count, options) : null;
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
      state.baseline.add(minuteMs, foldedCount(state.baseline, minuteMs, count, options), options);
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

/** The rise of `count` over what `baseline` expected at `minuteMs`, or null when it is not one. */
function judge(
  baseline: RateBaseline,
  minuteMs: number,
  count: number,
  options: TrendOptions,
): Pick<RisingTerm, 'expected' | 'score' | 'confidence' | 'isNew'> | null {
  const isNew = baseline.minutes < options.warmupMinutes;
  if (count < (isNew ? options.newTermSupport : options.minSupport)) return null;
  const { mean, variance } = baseline.expectedAt(minuteMs, options);
  const expected = Math.max(mean, options.floorRate);
  if (count < expected * options.minRatio) return null;
  const score = (count - expected) / Math.sqrt(expected + variance);
  if (score < options.minScore) return null;
  const confidence = 1 - poissonUpperTail(count, expected);
  if (confidence < options.minConfidence) return null;
  return { expected, score, confidence, isNew };
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
  minuteMs: number,
  count: number,
  options: TrendOptions,
): number {
  if (baseline.minutes < options.warmupMinutes) return count;
  const { mean, variance } = baseline.expectedAt(minuteMs, options);
  const expected = Math.max(mean, options.floorRate);
  return Math.min(count, expected + 3 * Math.sqrt(expected + variance));
}
