/** The API's JSON, as the page uses it (see the Swagger schemas for every field). */

export interface CountedKey {
  readonly key: string;
  readonly count: number;
}

export interface WindowRow {
  readonly subreddit: string;
  readonly window: string;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly submissions: number;
  readonly comments: number;
  readonly events: number;
  readonly sentimentMin: number | null;
  readonly sentimentMax: number | null;
  readonly sentimentMean: number | null;
  readonly sentimentCount: number;
  readonly positive: number;
  readonly neutral: number;
  readonly negative: number;
  readonly topKeywords: readonly CountedKey[];
  readonly topMentions: readonly CountedKey[];
  readonly final: boolean;
  readonly updatedAt: string;
}

export interface TrendRow {
  readonly scope: string;
  readonly kind: string;
  readonly term: string;
  readonly lane: string;
  readonly minute: string;
  readonly since: string;
  readonly value: number;
  readonly expected: number;
  readonly score: number;
  readonly confidence: number;
  readonly isNew: boolean;
  readonly detectedAt: string;
  readonly peakScore?: number;
}

export interface PostRow {
  readonly fullname: string;
  readonly kind: 'submission' | 'comment';
  readonly createdAt: string;
  readonly author: string | null;
  readonly title: string | null;
  readonly body: string | null;
  readonly permalink: string;
  readonly score: number;
  readonly sentimentScore: number | null;
  readonly sentimentLabel: string | null;
}

export interface StreamRow {
  readonly id: string;
  readonly source: string;
  readonly state: string;
  readonly subreddits: readonly string[];
  readonly ratePerSecond: number | null;
  readonly produced: {
    readonly total: number;
    readonly rejected: number;
    readonly failedAttempts: number;
  };
  /** What the consumers did with the stream's events (absent or null before any). */
  readonly consumed?: {
    readonly applied: number;
    readonly lateApplied: number;
    readonly tooLate: number;
    readonly tooLateTo: string;
    readonly duplicates: number;
    readonly deadLettered: number;
  } | null;
  readonly lastError: string | null;
  readonly startedAt: string;
}

export interface PageSettings {
  readonly windowSpecs: readonly string[];
  readonly trendsEnabled: boolean;
  readonly readsRequireApiKey: boolean;
}
