/**
 * The mergeable state of one (subreddit, window spec, window start).
 *
 * Exactly associative and commutative under `merge`: counts, sums (sentiment
 * is summed in integer millionths, since floating-point addition is not
 * associative), min/max, first/last event time and
 * the distinct-author sketch (it keeps the `maxExactAuthors` smallest hashes of
 * the union, a pure function of the union). The top-K counters (Misra-Gries)
 * merge commutatively, and exactly while the merged inputs hold at most K
 * distinct keys; beyond that the retained keys can depend on the merge order,
 * but the error bound on TopKCounter holds for every order (Agarwal et al.,
 * "Mergeable Summaries").
 *
 * `merge` assumes the two sides counted different events (e.g. the same
 * window from two partitions or two time ranges). Duplicate events are
 * filtered before they reach an aggregate (the engine keeps the fullnames it
 * has counted), so the aggregate itself holds no per-event data and stays
 * small enough to checkpoint often.
 */

/** What the engine needs to know of one event. */
export interface WindowEvent {
  readonly fullname: string;
  readonly subreddit: string;
  readonly kind: 'submission' | 'comment';
  readonly eventTimeMs: number;
  readonly author: string;
  readonly score: number;
  /** The sentiment score in [-1, 1]; null when the text was not scored. */
  readonly sentiment: number | null;
  /** The scorer's label (null with the score): windows count labels, not bands of the score. */
  readonly sentimentLabel: 'positive' | 'neutral' | 'negative' | null;
  /** Which model scored it ("vader", "reddit-…"); null with the score. */
  readonly sentimentModel: string | null;
  readonly keywords: readonly { readonly key: string; readonly count: number }[];
  readonly mentions: readonly string[];
}

export interface AggregateOptions {
  /** Counters kept per top-K list (keywords, mentions). */
  readonly topK: number;
  /** Authors counted exactly up to this many; beyond it the count is a KMV estimate. */
  readonly maxExactAuthors: number;
}

export const DEFAULT_AGGREGATE_OPTIONS: AggregateOptions = { topK: 20, maxExactAuthors: 10_000 };

const SENTIMENT_SCALE = 1_000_000;
/**
 * A window names the models that scored its events; more than one shows a
 * change of model inside the window. Bounded (the smallest names win, which
 * keeps merge associative); in practice a window sees one or two.
 */
export const MAX_SENTIMENT_MODELS = 4;

export interface CountedKey {
  readonly key: string;
  readonly count: number;
}

export interface TopKCounterJSON {
  readonly capacity: number;
  readonly total: number;
  readonly counts: readonly (readonly [string, number])[];
}

/**
 * Misra-Gries frequent-items counter with `capacity` (K) counters.
 * Error bound: for every key, trueCount - errorBound() <= estimate(key) <= trueCount,
 * with errorBound() = (total - sum of retained counts) / (K + 1) <= total / (K + 1).
 * So any key occurring more than total/(K+1) times is guaranteed to be retained.
 */
export class TopKCounter {
  private readonly counts = new Map<string, number>();
  private totalCount = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`top-K capacity must be a positive integer, got ${capacity}`);
    }
  }

  add(key: string, count = 1): void {
    if (count <= 0) return;
    this.totalCount += count;
    this.counts.set(key, (this.counts.get(key) ?? 0) + count);
    if (this.counts.size === this.capacity + 1) this.reduceByMinimum();
    else this.reduce();
  }

  get total(): number {
    return this.totalCount;
  }

  get size(): number {
    return this.counts.size;
  }

  estimate(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  errorBound(): number {
    let retained = 0;
    for (const c of this.counts.values()) retained += c;
    return (this.totalCount - retained) / (this.capacity + 1);
  }

  /** Retained keys, highest count first, ties by key (deterministic). */
  top(limit = this.capacity): CountedKey[] {
    return [...this.counts]
      .map(([key, count]) => ({ key, count }))
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, limit);
  }

  static merge(a: TopKCounter, b: TopKCounter): TopKCounter {
    if (a.capacity !== b.capacity) {
      throw new RangeError(
        `cannot merge top-K counters of capacity ${a.capacity} and ${b.capacity}`,
      );
    }
    const merged = new TopKCounter(a.capacity);
    merged.totalCount = a.totalCount + b.totalCount;
    for (const source of [a, b]) {
      for (const [key, count] of source.counts) {
        merged.counts.set(key, (merged.counts.get(key) ?? 0) + count);
      }
    }
    merged.reduce();
    return merged;
  }

  clone(): TopKCounter {
    return TopKCounter.fromJSON(this.toJSON());
  }

  toJSON(): TopKCounterJSON {
    return {
      capacity: this.capacity,
      total: this.totalCount,
      counts: this.top(Number.POSITIVE_INFINITY).map(({ key, count }) => [key, count] as const),
    };
  }

  static fromJSON(json: TopKCounterJSON): TopKCounter {
    const counter = new TopKCounter(json.capacity);
    counter.totalCount = json.total;
    for (const [key, count] of json.counts) counter.counts.set(key, count);
    counter.reduce();
    return counter;
  }

  /**
   * `reduce` for the common case of exactly K+1 counters (one add past a full
   * counter): the (K+1)-th largest count is the smallest, found in one pass
   * instead of a sort on every add.
   */
  private reduceByMinimum(): void {
    let decrement = Number.POSITIVE_INFINITY;
    for (const count of this.counts.values()) if (count < decrement) decrement = count;
    for (const [key, count] of this.counts) {
      if (count <= decrement) this.counts.delete(key);
      else this.counts.set(key, count - decrement);
    }
  }

  /** Subtracts the (K+1)-th largest count from all counters and drops those at or below zero. */
  private reduce(): void {
    if (this.counts.size <= this.capacity) return;
    const sorted = [...this.counts.values()].sort((x, y) => y - x);
    const decrement = sorted[this.capacity] ?? 0;
    for (const [key, count] of this.counts) {
      if (count <= decrement) this.counts.delete(key);
      else this.counts.set(key, count - decrement);
    }
  }
}

/** 32-bit FNV-1a: cheap, stable across processes (checkpoints depend on it). */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function compareByHash(a: string, b: string): number {
  return fnv1a32(a) - fnv1a32(b) || (a < b ? -1 : a > b ? 1 : 0);
}

export interface DistinctSketchJSON {
  readonly capacity: number;
  readonly saturated: boolean;
  readonly names: readonly string[];
}

/**
 * Distinct names: exact up to `capacity`; past it, a K-minimum-values sketch
 * keeping the `capacity` names with the smallest hashes. Estimate when
 * saturated: (K - 1) * 2^32 / (largest kept hash + 1), relative standard error
 * about 1/sqrt(K - 2) (about 1% at K = 10 000).
 */
export class DistinctSketch {
  private readonly names = new Set<string>();
  private saturated = false;
  /** When saturated: the largest kept name (by hash, then name); nothing above it can enter. */
  private threshold: string | null = null;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 2) {
      throw new RangeError(`distinct capacity must be an integer >= 2, got ${capacity}`);
    }
  }

  add(name: string): void {
    if (this.names.has(name)) return;
    if (this.threshold !== null && compareByHash(name, this.threshold) >= 0) return;
    this.names.add(name);
    // Compact lazily so a saturated sketch does not sort on every new name.
    if (this.names.size > this.capacity * 2) this.compact();
  }

  get exact(): boolean {
    this.compact();
    return !this.saturated;
  }

  estimate(): number {
    this.compact();
    if (!this.saturated || this.threshold === null) return this.names.size;
    return Math.round(((this.capacity - 1) * 2 ** 32) / (fnv1a32(this.threshold) + 1));
  }

  static merge(a: DistinctSketch, b: DistinctSketch): DistinctSketch {
    if (a.capacity !== b.capacity) {
      throw new RangeError(`cannot merge sketches of capacity ${a.capacity} and ${b.capacity}`);
    }
    a.compact();
    b.compact();
    const merged = new DistinctSketch(a.capacity);
    // Above the lower threshold one side may be missing names, so nothing above it is kept.
    const limits = [a.threshold, b.threshold].filter((t): t is string => t !== null);
    const limit = limits.sort(compareByHash)[0] ?? null;
    merged.saturated = a.saturated || b.saturated;
    for (const name of [...a.names, ...b.names]) {
      if (limit === null || compareByHash(name, limit) <= 0) merged.names.add(name);
    }
    if (merged.saturated) merged.threshold = limit;
    merged.compact();
    return merged;
  }

  toJSON(): DistinctSketchJSON {
    this.compact();
    return { capacity: this.capacity, saturated: this.saturated, names: [...this.names].sort() };
  }

  static fromJSON(json: DistinctSketchJSON): DistinctSketch {
    const sketch = new DistinctSketch(json.capacity);
    for (const name of json.names) sketch.names.add(name);
    sketch.saturated = json.saturated;
    if (json.saturated) sketch.threshold = [...sketch.names].sort(compareByHash).at(-1) ?? null;
    sketch.compact();
    return sketch;
  }

  private compact(): void {
    if (this.names.size <= this.capacity) return;
    const kept = [...this.names].sort(compareByHash).slice(0, this.capacity);
    this.names.clear();
    for (const name of kept) this.names.add(name);
    this.saturated = true;
    this.threshold = kept.at(-1) ?? null;
  }
}

export interface WindowAggregateJSON {
  readonly submissions: number;
  readonly comments: number;
  readonly scoreSum: number;
  /** Sentiment sum in millionths, an integer: integer addition keeps merge exactly associative. */
  readonly sentimentSumMicros: number;
  readonly sentimentCount: number;
  readonly sentimentMin: number | null;
  readonly sentimentMax: number | null;
  readonly positive: number;
  readonly neutral: number;
  readonly negative: number;
  /** Absent in checkpoints written before models were recorded. */
  readonly sentimentModels?: readonly string[];
  readonly firstEventMs: number | null;
  readonly lastEventMs: number | null;
  readonly authors: DistinctSketchJSON;
  readonly keywords: TopKCounterJSON;
  readonly mentions: TopKCounterJSON;
}

/**
 * The aggregate without its distinct authors, for checkpoints written every
 * second: the author set is the one part that grows with the window's
 * traffic (up to `maxExactAuthors` names), and the checkpoint can rebuild it
 * from the counted events it keeps anyway for dedupe.
 */
export type WindowAggregateCountsJSON = Omit<WindowAggregateJSON, 'authors'> & {
  readonly authorsCapacity: number;
};

/** The read-only view emitted for a window. */
export interface AggregateSummary {
  readonly submissions: number;
  readonly comments: number;
  readonly uniqueAuthors: number;
  /** False once more than `maxExactAuthors` distinct authors were seen: `uniqueAuthors` is then an estimate. */
  readonly uniqueAuthorsExact: boolean;
  readonly scoreSum: number;
  readonly sentimentCount: number;
  readonly sentimentSum: number;
  readonly sentimentMean: number | null;
  readonly sentimentMin: number | null;
  readonly sentimentMax: number | null;
  readonly positive: number;
  readonly neutral: number;
  readonly negative: number;
  /** The models that scored the window's events, sorted. */
  readonly sentimentModels: readonly string[];
  readonly topKeywords: readonly CountedKey[];
  readonly topMentions: readonly CountedKey[];
  /** Upper bound on how much any top-K count below may be under its true value. */
  readonly keywordsErrorBound: number;
  readonly mentionsErrorBound: number;
  readonly firstEventMs: number | null;
  readonly lastEventMs: number | null;
}

function minOrNull(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

function maxOrNull(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

/** The sorted union, cut to MAX_SENTIMENT_MODELS: a pure function of the union, so merge stays associative. */
function unionOfModels(a: readonly string[], b: readonly string[]): string[] {
  if (b.length === 0 || b.every((model) => a.includes(model))) return [...a];
  return [...new Set([...a, ...b])].sort().slice(0, MAX_SENTIMENT_MODELS);
}

export class WindowAggregate {
  submissions = 0;
  comments = 0;
  scoreSum = 0;
  /** Millionths (scores are quantised to 1e-6) so sums do not depend on merge order. */
  sentimentSumMicros = 0;
  sentimentCount = 0;
  sentimentMin: number | null = null;
  sentimentMax: number | null = null;
  positive = 0;
  neutral = 0;
  negative = 0;
  sentimentModels: readonly string[] = [];
  firstEventMs: number | null = null;
  lastEventMs: number | null = null;
  authors: DistinctSketch;
  keywords: TopKCounter;
  mentions: TopKCounter;

  constructor(options: AggregateOptions = DEFAULT_AGGREGATE_OPTIONS) {
    this.authors = new DistinctSketch(options.maxExactAuthors);
    this.keywords = new TopKCounter(options.topK);
    this.mentions = new TopKCounter(options.topK);
  }

  /** Adds one event (the caller has already filtered duplicates). */
  add(event: WindowEvent): void {
    if (event.kind === 'submission') this.submissions++;
    else this.comments++;
    this.scoreSum += event.score;
    const s = event.sentiment;
    if (s !== null) {
      this.sentimentSumMicros += Math.round(s * SENTIMENT_SCALE);
      this.sentimentCount++;
      this.sentimentMin = minOrNull(this.sentimentMin, s);
      this.sentimentMax = maxOrNull(this.sentimentMax, s);
      if (event.sentimentLabel === 'positive') this.positive++;
      else if (event.sentimentLabel === 'negative') this.negative++;
      else this.neutral++;
      const model = event.sentimentModel;
      if (model !== null && !this.sentimentModels.includes(model)) {
        this.sentimentModels = unionOfModels(this.sentimentModels, [model]);
      }
    }
    this.authors.add(event.author);
    for (const { key, count } of event.keywords) this.keywords.add(key, count);
    for (const mention of event.mentions) this.mentions.add(mention);
    this.firstEventMs = minOrNull(this.firstEventMs, event.eventTimeMs);
    this.lastEventMs = maxOrNull(this.lastEventMs, event.eventTimeMs);
  }

  static merge(a: WindowAggregate, b: WindowAggregate): WindowAggregate {
    const m = new WindowAggregate({
      topK: a.keywords.capacity,
      maxExactAuthors: a.authors.capacity,
    });
    m.submissions = a.submissions + b.submissions;
    m.comments = a.comments + b.comments;
    m.scoreSum = a.scoreSum + b.scoreSum;
    m.sentimentSumMicros = a.sentimentSumMicros + b.sentimentSumMicros;
    m.sentimentCount = a.sentimentCount + b.sentimentCount;
    m.sentimentMin = minOrNull(a.sentimentMin, b.sentimentMin);
    m.sentimentMax = maxOrNull(a.sentimentMax, b.sentimentMax);
    m.positive = a.positive + b.positive;
    m.neutral = a.neutral + b.neutral;
    m.negative = a.negative + b.negative;
    m.sentimentModels = unionOfModels(a.sentimentModels, b.sentimentModels);
    m.firstEventMs = minOrNull(a.firstEventMs, b.firstEventMs);
    m.lastEventMs = maxOrNull(a.lastEventMs, b.lastEventMs);
    m.authors = DistinctSketch.merge(a.authors, b.authors);
    m.keywords = TopKCounter.merge(a.keywords, b.keywords);
    m.mentions = TopKCounter.merge(a.mentions, b.mentions);
    return m;
  }

  summary(): AggregateSummary {
    return {
      submissions: this.submissions,
      comments: this.comments,
      uniqueAuthors: this.authors.estimate(),
      uniqueAuthorsExact: this.authors.exact,
      scoreSum: this.scoreSum,
      sentimentCount: this.sentimentCount,
      sentimentSum: this.sentimentSumMicros / SENTIMENT_SCALE,
      sentimentMean:
        this.sentimentCount === 0
          ? null
          : this.sentimentSumMicros / SENTIMENT_SCALE / this.sentimentCount,
      sentimentMin: this.sentimentMin,
      sentimentMax: this.sentimentMax,
      positive: this.positive,
      neutral: this.neutral,
      negative: this.negative,
      sentimentModels: this.sentimentModels,
      topKeywords: this.keywords.top(),
      topMentions: this.mentions.top(),
      keywordsErrorBound: this.keywords.errorBound(),
      mentionsErrorBound: this.mentions.errorBound(),
      firstEventMs: this.firstEventMs,
      lastEventMs: this.lastEventMs,
    };
  }

  toJSON(): WindowAggregateJSON {
    return { ...this.countsJSON(), authors: this.authors.toJSON() };
  }

  /** Everything but the author set (see WindowAggregateCountsJSON). */
  toCountsJSON(): WindowAggregateCountsJSON {
    return { ...this.countsJSON(), authorsCapacity: this.authors.capacity };
  }

  /** From either form; from the counts form the author set starts empty, for the caller to refill. */
  static fromJSON(json: WindowAggregateJSON | WindowAggregateCountsJSON): WindowAggregate {
    const withAuthors = 'authors' in json ? json : null;
    const a = new WindowAggregate({
      topK: json.keywords.capacity,
      maxExactAuthors: withAuthors
        ? withAuthors.authors.capacity
        : (json as WindowAggregateCountsJSON).authorsCapacity,
    });
    a.submissions = json.submissions;
    a.comments = json.comments;
    a.scoreSum = json.scoreSum;
    a.sentimentSumMicros = json.sentimentSumMicros;
    a.sentimentCount = json.sentimentCount;
    a.sentimentMin = json.sentimentMin;
    a.sentimentMax = json.sentimentMax;
    a.positive = json.positive;
    a.neutral = json.neutral;
    a.negative = json.negative;
    a.sentimentModels = json.sentimentModels ?? [];
    a.firstEventMs = json.firstEventMs;
    a.lastEventMs = json.lastEventMs;
    if (withAuthors) a.authors = DistinctSketch.fromJSON(withAuthors.authors);
    a.keywords = TopKCounter.fromJSON(json.keywords);
    a.mentions = TopKCounter.fromJSON(json.mentions);
    return a;
  }

  private countsJSON(): Omit<WindowAggregateJSON, 'authors'> {
    return {
      submissions: this.submissions,
      comments: this.comments,
      scoreSum: this.scoreSum,
      sentimentSumMicros: this.sentimentSumMicros,
      sentimentCount: this.sentimentCount,
      sentimentMin: this.sentimentMin,
      sentimentMax: this.sentimentMax,
      positive: this.positive,
      neutral: this.neutral,
      negative: this.negative,
      sentimentModels: this.sentimentModels,
      firstEventMs: this.firstEventMs,
      lastEventMs: this.lastEventMs,
      keywords: this.keywords.toJSON(),
      mentions: this.mentions.toJSON(),
    };
  }
}
