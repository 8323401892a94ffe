/**
 * Heap held per subreddit by trend detection: after one judged minute of a
 * few events (what most subreddits of a live stream over all of Reddit
 * give), and after a day of silence, when the subreddit is dropped to its
 * dormant record. A busy subreddit moves the lane's event time on meanwhile.
 *
 *   node --expose-gc -r ts-node/register/transpile-only -r tsconfig-paths/register \
 *     bench/trend-scopes.bench.ts [subreddits]
 */
import {
  DEFAULT_SHIFT_OPTIONS,
  DEFAULT_TREND_OPTIONS,
  PartitionTrends,
  type TrendEvent,
} from '@app/trends/domain';

const MINUTE_MS = 60_000;

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (see the header)');
  gc();
  return process.memoryUsage().heapUsed;
}

function event(subreddit: string, minute: number, keywords: string[]): TrendEvent {
  return {
    subreddit,
    eventTimeMs: minute * MINUTE_MS,
    keywords: keywords.map((key) => ({ key, count: 1 })),
    mentions: [],
    sentiment: 0.1,
  };
}

function main(): void {
  const count = Number(process.argv[2] ?? 20_000);
  const trends = new PartitionTrends({
    terms: DEFAULT_TREND_OPTIONS,
    shifts: DEFAULT_SHIFT_OPTIONS,
    minuteTerms: 1000,
  });
  const before = heapUsed();
  // Four events each, two keywords per event: five distinct terms per subreddit.
  for (let i = 0; i < count; i++)
    for (let k = 0; k < 4; k++) trends.count(event(`sub${i}`, 10, [`w${k}`, `own${i}`]), 0);
  trends.judge(() => 11 * MINUTE_MS);
  trends.takeCheckpoint();
  const active = heapUsed();

  for (let minute = 12; minute < 12 + 25 * 60; minute += 30) {
    trends.count(event('busy', minute, ['b']), (minute - 1) * MINUTE_MS);
    trends.judge(() => (minute + 1) * MINUTE_MS);
  }
  trends.takeCheckpoint();
  const idle = heapUsed();

  const perScope = (bytes: number): string => `${Math.round(bytes / count)} B`;
  console.log(`subreddits: ${count}; scopes now ${JSON.stringify(trends.scopeCounts)}`);
  console.log(`per subreddit, after a judged minute: ${perScope(active - before)}`);
  console.log(`per subreddit, after a day of silence: ${perScope(idle - before)}`);
}

main();
