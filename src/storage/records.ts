/** Rows as storage writes and reads them: flat, explicit, independent of the NLP and window types. */

export interface PostRecord {
  readonly subreddit: string;
  readonly fullname: string;
  readonly kind: 'submission' | 'comment';
  readonly createdAtMs: number;
  readonly author: string | null;
  readonly title: string | null;
  readonly body: string | null;
  readonly permalink: string;
  readonly url: string | null;
  readonly score: number;
  readonly numComments: number | null;
  readonly over18: boolean;
  readonly linkId: string | null;
  readonly parentId: string | null;
  readonly sentimentScore: number | null;
  readonly sentimentLabel: string | null;
  /** The model that scored it ("reddit-…", "vader"); null when it was not scored. */
  readonly sentimentModel: string | null;
  readonly bodyState: string;
  readonly ingestedAtMs: number;
  readonly source: string;
  readonly streamId: string;
}

export interface CountedKeyRecord {
  readonly key: string;
  readonly count: number;
}

export interface WindowRecord {
  readonly subreddit: string;
  /** The window spec's name: "1m" (tumbling) or "5m/1m" (hopping). */
  readonly window: string;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly submissions: number;
  readonly comments: number;
  readonly uniqueAuthors: number;
  /** False when uniqueAuthors is an estimate (very busy windows). */
  readonly uniqueAuthorsExact: boolean;
  readonly sentimentSum: number;
  readonly sentimentCount: number;
  readonly sentimentMean: number | null;
  readonly sentimentMin: number | null;
  readonly sentimentMax: number | null;
  readonly positive: number;
  readonly neutral: number;
  readonly negative: number;
  /** The models that scored the window's events, comma-separated; null when none was scored. */
  readonly sentimentModel: string | null;
  readonly scoreSum: number;
  readonly topKeywords: readonly CountedKeyRecord[];
  readonly topMentions: readonly CountedKeyRecord[];
  readonly firstEventMs: number;
  readonly lastEventMs: number;
  /** True once the watermark passed the window's end; later changes are late re-emissions. */
  readonly final: boolean;
  /** When this version of the row was computed (the computing server's clock). */
  readonly updatedAtMs: number;
  /**
   * The row's version: every store keeps the highest one (Cassandra through
   * the write timestamp, the warehouse in its merge), whatever order writes
   * land in. It is not a clock reading but the time the partition was claimed
   * plus one per flush since (see PartitionRuntime.nextVersion), so a server
   * that lost the partition without noticing cannot outrank the new owner.
   */
  readonly version: number;
}

/**
 * A rising term, mood shift or activity burst found in one minute of one
 * subreddit: one row per (scope, kind, term, lane, minute), the same in
 * Cassandra, the warehouse and the trends topic.
 */
export interface TrendRecord {
  /** The subreddit. */
  readonly scope: string;
  /** keyword, subreddit, user, domain, ticker, hashtag; or mood, burst. */
  readonly kind: string;
  /** The term ("r/name", "$TICKER", ...); for mood and bursts the direction, up or down. */
  readonly term: string;
  /** The event-time lane: "live", or "backfill:<stream id>" for a replay's history. */
  readonly lane: string;
  /** The minute judged (its start). */
  readonly minuteMs: number;
  /** The count in that minute (events, for bursts; the mean sentiment, for mood). */
  readonly value: number;
  readonly expected: number;
  readonly score: number;
  readonly confidence: number;
  /** First minute of the rise or shift this minute continues. */
  readonly sinceMs: number;
  readonly isNew: boolean;
  /** When it was found (processing time). */
  readonly detectedAtMs: number;
}

export interface TrendQuery {
  readonly fromMs: number;
  /** Exclusive. */
  readonly toMs: number;
}

/** Serialised top-K lists fit Redshift's VARCHAR limits: at most this many characters. */
export const TOP_LIST_MAX_CHARS = 4000;

/** JSON text of a top-K list, shortened (dropping the rarest keys) to fit TOP_LIST_MAX_CHARS. */
export function topListJson(list: readonly CountedKeyRecord[]): string {
  let items = [...list];
  let text = JSON.stringify(items);
  while (text.length > TOP_LIST_MAX_CHARS && items.length > 0) {
    items = items.slice(0, -1);
    text = JSON.stringify(items);
  }
  return text;
}

export function parseTopList(text: unknown): CountedKeyRecord[] {
  if (typeof text !== 'string' || text === '') return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as CountedKeyRecord[]) : [];
  } catch {
    return [];
  }
}

/** One consumed Kafka partition, in one consumer group. */
export interface PartitionRef {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
}

/** An opaque piece of streaming state (a window aggregate, a set of counted fullnames). */
export interface StateItem {
  /**
   * The partition's state (window, seen, tally, lane), read by every claim,
   * and its archive of closed windows (closed-window, closed-seen), read
   * only by key or key range when a backfill reaches them; trend detection's
   * state (trend-minute, trend-scope, trend-term, trend-progress) is read
   * by every claim too (CLAIMED_KINDS).
   */
  readonly kind:
    | 'window'
    | 'seen'
    | 'tally'
    | 'lane'
    | 'closed-window'
    | 'closed-seen'
    | 'trend-minute'
    | 'trend-scope'
    | 'trend-term'
    | 'trend-progress';
  readonly key: string;
  readonly data: string;
}

/** The kinds every claim reads (the archive of closed windows is read on demand). */
export const CLAIMED_KINDS: readonly StateItem['kind'][] = [
  'window',
  'seen',
  'tally',
  'lane',
  'trend-minute',
  'trend-scope',
  'trend-term',
  'trend-progress',
];

export interface PartitionCheckpoint {
  /** The fencing epoch this claim got; every save must present it. */
  readonly epoch: number;
  /** First offset not covered by the state (null: nothing saved yet). */
  readonly nextOffset: string | null;
  readonly maxEventTimeMs: number | null;
  readonly items: readonly StateItem[];
}

export interface CheckpointWrite {
  readonly epoch: number;
  readonly nextOffset: string;
  readonly maxEventTimeMs: number | null;
  readonly upserts: readonly StateItem[];
  readonly deletes: readonly Pick<StateItem, 'kind' | 'key'>[];
  /** Items of a kind whose key sorts before `beforeKey`, deleted in the same write. */
  readonly purges?: readonly { readonly kind: StateItem['kind']; readonly beforeKey: string }[];
}

/** An ingest stream as persisted: enough to resume it after a restart. */
export interface StreamRecord {
  readonly id: string;
  /** The stream definition, as JSON text. */
  readonly definition: string;
  readonly state: string;
  /** The source position after the last published batch, as JSON text. */
  readonly checkpoint: string;
  /** Produced/rejected counters, as JSON text. */
  readonly counters: string;
  readonly startedAtMs: number;
  readonly stoppedAtMs: number | null;
  readonly lastBatchAtMs: number | null;
  readonly lastError: string | null;
  readonly updatedAtMs: number;
}

export interface LatestPostsQuery {
  readonly subreddit: string;
  readonly beforeMs: number;
  readonly limit: number;
  readonly maxDays: number;
}

export interface WindowQuery {
  readonly subreddit: string;
  readonly window: string;
  readonly fromMs: number;
  /** Exclusive. */
  readonly toMs: number;
}

export const DAY_MS = 86_400_000;

/** UTC day bucket (YYYY-MM-DD) used to bound partition sizes. */
export function utcDay(ms: number): string {
  const start = ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
  // Called for every post and window row, nearly always for the same day or two.
  if (start !== lastDayStart) {
    lastDayStart = start;
    lastDay = new Date(start).toISOString().slice(0, 10);
  }
  return lastDay;
}
let lastDayStart = Number.NaN;
let lastDay = '';

/** Every UTC day touched by [fromMs, toMs). */
export function utcDaysBetween(fromMs: number, toMs: number): string[] {
  const days: string[] = [];
  const first = fromMs - (((fromMs % DAY_MS) + DAY_MS) % DAY_MS);
  for (let day = first; day < toMs; day += DAY_MS) days.push(utcDay(day));
  return days;
}
