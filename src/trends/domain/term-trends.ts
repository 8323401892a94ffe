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
  /** The first minute the term was counted in this scope (since it was last forgotten). */
  readonly firstSeenMs: number;
}

/** One term's state: its baseline, its current rise, and its last minute's count and expectation. */
export type TermStateJSON = readonly [
  baseline: RateBaselineJSON,
  risingSinceMs: number | null,
  lastRisingMs: number | null,
  previous: number,
  previousExpected: number,
  firstSeenMs: number,
];

/** The minutes a table has judged (0: none yet). */
export interface TermTableHeader {
  readonly firstMinuteMs: number;
  readonly lastMinuteMs: number;
}

export interface TermTableJSON extends TermTableHeader {
  readonly terms: readonly (readonly [term: string, ...state: TermStateJSON])[];
}

/** What changed since the last `takeChanges`, for a checkpoint that writes only that. */
export interface TermTableChanges {
  /** Null when no minute was judged since. */
  readonly header: TermTableHeader | null;
  readonly upserts: readonly (readonly [term: string, state: TermStateJSON])[];
  /** Terms forgotten (beyond the capacity). */
  readonly deletes: readonly string[];
}

/**
 * The terms of one scope and kind, each with the baseline of its own counts
 * per minute. Memory is bounded: beyond the capacity the terms expected
 * least often are forgotten (a forgotten term that comes back is new again,
 * so it needs the new-term support), never one that is rising.
 */
export class TermTable {
  private readonly terms = new Map<string, TermState>();
  /** Terms observed, and terms forgotten, since the last `takeChanges`. */
  private readonly changed = new Set<string>();
  private readonly forgotten = new Set<string>();
  private headerMoved = false;

  private constructor(
    private firstMinuteMs: number | null,
    private lastMinuteMs: number | null,
  ) {}

  static empty(): TermTable {
    return new TermTable(null, null);
  }

  static fromJSON(json: TermTableJSON): TermTable {
    return TermTable.fromParts(
      json,
      json.terms.map(([term, ...state]) => [term, state] as const),
    );
  }

  /** From a header and its terms as checkpointed one by one. */
  static fromParts(
    header: TermTableHeader,
    terms: Iterable<readonly [term: string, state: TermStateJSON]>,
  ): TermTable {
    const table = new TermTable(header.firstMinuteMs || null, header.lastMinuteMs || null);
    for (const [
      term,
      [baseline, risingSinceMs, lastRisingMs, previous, expected, firstSeenMs],
    ] of terms) {
      table.terms.set(term, {
        baseline: RateBaseline.fromJSON(baseline),
        risingSinceMs,
        lastRisingMs,
        previous,
        previousExpected: expected,
        firstSeenMs,
      });
    }
    return table;
  }

  toJSON(): TermTableJSON {
    return {
      ...this.toHeader(),
      terms: [...this.terms].map(([term, s]) => [term, ...stateJSON(s)] as const),
    };
  }

  /** The terms observed or forgotten since the last call, and the header if it moved. */
  takeChanges(): TermTableChanges {
    const upserts: (readonly [string, TermStateJSON])[] = [];
    for (const term of this.changed) {
      const state = this.terms.get(term);
      if (state) upserts.push([term, stateJSON(state)]);
    }
    const changes = {
      header: this.headerMoved ? this.toHeader() : null,
      upserts,
      deletes: [...this.forgotten],
    };
    this.changed.clear();
    this.forgotten.clear();
    this.headerMoved = false;
    return changes;
  }

  /** The terms held, for forgetting the table's checkpointed items. */
  termNames(): IterableIterator<string> {
    return this.terms.keys();
  }

  toHeader(): TermTableHeader {
    return { firstMinuteMs: this.firstMinuteMs ?? 0, lastMinuteMs: this.lastMinuteMs ?? 0 };
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
    this.headerMoved = true;
    const warm = (minuteMs - this.firstMinuteMs) / MINUTE_MS >= options.warmupMinutes;
    const rising: RisingTerm[] = [];
    for (const [term, count] of counts) {
      let state = this.terms.get(term);
      if (!state) {
        state = {
          // Once the scope has learnt, a term's absence so far is history
          // too: its baseline starts with the scope, at zero, so a new term
          // that surges stays news while the surge lasts instead of being
          // taken for normal after its first minute.
          baseline: RateBaseline.startingAt(warm ? this.firstMinuteMs : minuteMs),
          risingSinceMs: null,
          lastRisingMs: null,
          previous: 0,
          // As if a minute with nothing, expected at the floor, came before.
          previousExpected: options.floorRate,
          firstSeenMs: minuteMs,
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
      const isNew = minuteMs - state.firstSeenMs < options.warmupMinutes * MINUTE_MS;
      const judged = warm ? judge({ expected, variance }, count, previous, isNew, options) : null;
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
        foldedCount(state.baseline, minuteMs, { expected, variance }, count, options),
        options,
      );
      state.previous = count;
      state.previousExpected = expected;
      this.changed.add(term);
      this.forgotten.delete(term);
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
      if (s.lastRisingMs === minuteMs) continue;
      this.terms.delete(term);
      this.changed.delete(term);
      this.forgotten.add(term);
    }
  }
}

function stateJSON(s: TermState): TermStateJSON {
  return [
    s.baseline.toJSON(),
    s.risingSinceMs,
    s.lastRisingMs,
    s.previous,
    s.previousExpected,
    s.firstSeenMs,
  ];
}

/**
 * The rise of `count` over what `baseline` expected at `minuteMs`, or null
 * when it is not one. Judged on the minute alone and on the last two minutes
 * together, the stronger of the two: a 20x surge shows in its first minute,
 * a 5x one on a rare term needs the second (two minutes of evidence are what
 * keeps thousands of terms per subreddit from raising chance alarms).
 */
function judge(
  { expected, variance }: { readonly expected: number; readonly variance: number },
  count: number,
  previous: { readonly count: number; readonly expected: number },
  isNew: boolean,
  options: TrendOptions,
): Pick<RisingTerm, 'expected' | 'score' | 'confidence' | 'isNew'> | null {
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
  minuteMs: number,
  { expected, variance }: { readonly expected: number; readonly variance: number },
  count: number,
  options: TrendOptions,
): number {
  if (baseline.historyAt(minuteMs) < options.warmupMinutes) return count;
  return Math.min(count, expected + 2 * Math.sqrt(expected + variance));
}
