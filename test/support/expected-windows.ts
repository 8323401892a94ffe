import { type RedditEvent } from '@app/events/reddit-event';
import { analyzeRedditText } from '@app/nlp/domain/analysis';
import { type SentimentScorer } from '@app/nlp/domain/sentiment';

export interface ExpectedWindow {
  submissions: number;
  comments: number;
  sentimentCount: number;
  sentimentSum: number;
  scoreSum: number;
}

/**
 * The 1-minute windows a correct pipeline must produce for these events,
 * computed directly (group by subreddit and minute, each fullname once),
 * independently of the streaming engine. Keyed "subreddit|windowStartMs".
 */
export function expectedMinuteWindows(
  events: readonly RedditEvent[],
  scorer: SentimentScorer,
): Map<string, ExpectedWindow> {
  const seen = new Set<string>();
  const windows = new Map<string, ExpectedWindow>();
  for (const event of events) {
    if (seen.has(event.fullname)) continue;
    seen.add(event.fullname);
    const minute = Math.floor(event.createdUtc / 60) * 60_000;
    const key = `${event.subreddit}|${minute}`;
    const w = windows.get(key) ?? {
      submissions: 0,
      comments: 0,
      sentimentCount: 0,
      sentimentSum: 0,
      scoreSum: 0,
    };
    if (event.kind === 'submission') w.submissions++;
    else w.comments++;
    w.scoreSum += event.score;
    const { sentiment } = analyzeRedditText({ title: event.title, body: event.body }, scorer);
    if (sentiment) {
      w.sentimentCount++;
      // The server sums scores quantised to millionths (exact, order-independent sums).
      w.sentimentSum += Math.round(sentiment.score * 1e6) / 1e6;
    }
    windows.set(key, w);
  }
  return windows;
}
