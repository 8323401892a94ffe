import { TopKCounter, type TopKCounterJSON } from '@app/common/top-k-counter';

/** The kinds of term a trend is found for: keywords (words and two-word phrases) and each kind of mention. */
export const TERM_KINDS = ['keyword', 'subreddit', 'user', 'domain', 'ticker', 'hashtag'] as const;
export type TermKind = (typeof TERM_KINDS)[number];

/** What trend detection needs of one counted event. */
export interface TrendEvent {
  readonly subreddit: string;
  /** The event-time lane (absent: live). */
  readonly lane?: string;
  readonly eventTimeMs: number;
  readonly keywords: readonly { readonly key: string; readonly count: number }[];
  /** As the windows count them: "r/name", "u/name", "$TICKER", "#tag", or a domain. */
  readonly mentions: readonly string[];
  readonly sentiment: number | null;
}

/** The kind of a mention, by the prefix the windows give it. */
export function mentionKind(mention: string): TermKind {
  if (mention.startsWith('r/')) return 'subreddit';
  if (mention.startsWith('u/')) return 'user';
  if (mention.startsWith('$')) return 'ticker';
  if (mention.startsWith('#')) return 'hashtag';
  return 'domain';
}

/**
 * One subreddit-minute as judged, handed on so the minute can be judged
 * again over every subreddit: its events, sentiment and every term counted.
 */
export interface MinuteContribution {
  readonly subreddit: string;
  readonly minuteMs: number;
  readonly events: number;
  readonly sentimentSum: number;
  readonly sentimentCount: number;
  /** [kind, term, count]; mentions keep their prefix ("r/", "$", ...). */
  readonly terms: readonly (readonly [TermKind, string, number])[];
}

export interface MinuteCountsJSON {
  /** The subreddits whose contributions it holds (the all-subreddits scope only). */
  readonly sources?: readonly string[];
  readonly events: number;
  readonly sentimentSum: number;
  readonly sentimentCount: number;
  readonly keywords: TopKCounterJSON;
  readonly mentions: TopKCounterJSON;
}

/**
 * One lane's events of one subreddit in one minute, as trend detection
 * judges them: exact counts per term while the minute holds at most
 * `capacity` distinct keywords (and as many mentions), Misra-Gries counts
 * beyond (a term's count is then at most `total / (capacity + 1)` low, so the
 * terms that matter, the frequent ones, are still counted).
 */
export class MinuteCounts {
  events = 0;
  sentimentSum = 0;
  sentimentCount = 0;
  /** Subreddits whose whole minute was added (addContribution), so none counts twice. */
  readonly sources = new Set<string>();
  private constructor(
    private readonly keywords: TopKCounter,
    private readonly mentions: TopKCounter,
  ) {}

  static empty(capacity: number): MinuteCounts {
    return new MinuteCounts(new TopKCounter(capacity), new TopKCounter(capacity));
  }

  static fromJSON(json: MinuteCountsJSON): MinuteCounts {
    const counts = new MinuteCounts(
      TopKCounter.fromJSON(json.keywords),
      TopKCounter.fromJSON(json.mentions),
    );
    for (const source of json.sources ?? []) counts.sources.add(source);
    counts.events = json.events;
    counts.sentimentSum = json.sentimentSum;
    counts.sentimentCount = json.sentimentCount;
    return counts;
  }

  toJSON(): MinuteCountsJSON {
    return {
      ...(this.sources.size > 0 ? { sources: [...this.sources].sort() } : {}),
      events: this.events,
      sentimentSum: this.sentimentSum,
      sentimentCount: this.sentimentCount,
      keywords: this.keywords.toJSON(),
      mentions: this.mentions.toJSON(),
    };
  }

  add(event: TrendEvent): void {
    this.events++;
    if (event.sentiment !== null) {
      this.sentimentSum += event.sentiment;
      this.sentimentCount++;
    }
    for (const { key, count } of event.keywords) this.keywords.add(key, count);
    for (const mention of event.mentions) this.mentions.add(mention);
  }

  /** Adds a whole subreddit-minute; false (nothing added) when that subreddit's is already in. */
  addContribution(contribution: MinuteContribution): boolean {
    if (this.sources.has(contribution.subreddit)) return false;
    this.sources.add(contribution.subreddit);
    this.events += contribution.events;
    this.sentimentSum += contribution.sentimentSum;
    this.sentimentCount += contribution.sentimentCount;
    for (const [kind, term, count] of contribution.terms) {
      if (kind === 'keyword') this.keywords.add(term, count);
      else this.mentions.add(term, count);
    }
    return true;
  }

  /** The minute as a contribution of `subreddit` to the all-subreddits scope. */
  contribution(subreddit: string, minuteMs: number): MinuteContribution {
    const terms: [TermKind, string, number][] = [];
    for (const [kind, counts] of this.byKind())
      for (const [term, count] of counts) terms.push([kind, term, count]);
    return {
      subreddit,
      minuteMs,
      events: this.events,
      sentimentSum: this.sentimentSum,
      sentimentCount: this.sentimentCount,
      terms,
    };
  }

  /** The counts of each kind of term. */
  byKind(): Map<TermKind, Map<string, number>> {
    const kinds = new Map<TermKind, Map<string, number>>(
      TERM_KINDS.map((kind) => [kind, new Map<string, number>()]),
    );
    const keywords = kinds.get('keyword');
    for (const { key, count } of this.keywords.top(Number.POSITIVE_INFINITY))
      keywords?.set(key, count);
    for (const { key, count } of this.mentions.top(Number.POSITIVE_INFINITY))
      kinds.get(mentionKind(key))?.set(key, count);
    return kinds;
  }
}
