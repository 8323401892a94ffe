import { DistinctSketch, type DistinctSketchJSON } from './distinct-sketch';
import { type CountedKey, TopKCounter, type TopKCounterJSON } from '@app/common/top-k-counter';
import { type WindowEvent } from './window-event';

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
