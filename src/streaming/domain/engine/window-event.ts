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
  /**
   * The event-time lane the event travels in (see LaneClocks): a backfill's
   * own lane, or the live lane when absent.
   */
  readonly lane?: string;
}

/** Every stream that follows the present shares this lane. */
export const LIVE_LANE = 'live';

/** The lane of a replay stream's events: each backfill is judged by its own progress. */
export function backfillLane(streamId: string): string {
  return `backfill:${streamId}`;
}
