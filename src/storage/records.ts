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
  readonly bodyState: string;
  readonly ingestedAtMs: number;
  readonly source: string;
  readonly streamId: string;
}

export interface WindowRecord {
  readonly subreddit: string;
  readonly window: string;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly submissions: number;
  readonly comments: number;
  readonly sentimentSum: number;
  readonly sentimentCount: number;
  readonly sentimentMean: number | null;
  readonly positive: number;
  readonly neutral: number;
  readonly negative: number;
  readonly scoreSum: number;
  readonly firstEventMs: number;
  readonly lastEventMs: number;
  readonly updatedAtMs: number;
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
  return new Date(ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS)).toISOString().slice(0, 10);
}

/** Every UTC day touched by [fromMs, toMs). */
export function utcDaysBetween(fromMs: number, toMs: number): string[] {
  const days: string[] = [];
  const first = fromMs - (((fromMs % DAY_MS) + DAY_MS) % DAY_MS);
  for (let day = first; day < toMs; day += DAY_MS) days.push(utcDay(day));
  return days;
}
