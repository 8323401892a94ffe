import { WindowSeries } from '@app/live-page/app/series';
import { type WindowRow } from '@app/live-page/app/types';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

function row(subreddit: string, minute: number, fields: Partial<WindowRow> = {}): WindowRow {
  return {
    subreddit,
    window: '1m',
    windowStart: new Date(T0 + minute * 60_000).toISOString(),
    windowEnd: new Date(T0 + (minute + 1) * 60_000).toISOString(),
    submissions: 1,
    comments: 4,
    events: 5,
    sentimentMin: -0.5,
    sentimentMax: 0.5,
    sentimentMean: 0.1,
    sentimentCount: 5,
    positive: 2,
    neutral: 2,
    negative: 1,
    topKeywords: [],
    topMentions: [],
    final: false,
    updatedAt: new Date(T0 + (minute + 1) * 60_000).toISOString(),
    ...fields,
  };
}

describe('WindowSeries', () => {
  it('sums subreddits per window start, weighting sentiment by scored events', () => {
    const series = new WindowSeries(3_600_000);
    series.add(row('a', 0, { sentimentMean: 0.5, sentimentCount: 1, sentimentMax: 0.9 }));
    series.add(row('b', 0, { sentimentMean: -0.1, sentimentCount: 3, sentimentMin: -0.8 }));
    series.add(
      row('a', 1, {
        sentimentMean: null,
        sentimentCount: 0,
        sentimentMin: null,
        sentimentMax: null,
      }),
    );
    const [first, second] = series.points();
    expect(first).toMatchObject({ startMs: T0, submissions: 2, comments: 8, min: -0.8, max: 0.9 });
    expect(first?.mean).toBeCloseTo((0.5 - 0.3) / 4, 10);
    expect(second).toMatchObject({ startMs: T0 + 60_000, mean: null, min: null, max: null });
  });

  it('keeps the newest version of a window and drops old windows', () => {
    const series = new WindowSeries(10 * 60_000);
    const newer = row('a', 0, { comments: 9, updatedAt: new Date(T0 + 90_000).toISOString() });
    expect(series.add(newer)).toBe(true);
    expect(series.add(row('a', 0, { comments: 2 }))).toBe(false);
    expect(series.points()[0]?.comments).toBe(9);
    series.add(row('a', 30));
    series.prune(T0 + 31 * 60_000);
    expect(series.points().map((p) => p.startMs)).toEqual([T0 + 30 * 60_000]);
  });

  it('ranks the newest window start’s keywords over the subreddits', () => {
    const series = new WindowSeries(3_600_000);
    series.add(row('a', 0, { topKeywords: [{ key: 'old', count: 50 }] }));
    series.add(
      row('a', 1, {
        topKeywords: [
          { key: 'rust', count: 3 },
          { key: 'go', count: 2 },
        ],
      }),
    );
    series.add(
      row('b', 1, {
        topKeywords: [{ key: 'go', count: 4 }],
        topMentions: [{ key: 'r/news', count: 1 }],
      }),
    );
    expect(series.latestTop(2)).toEqual({
      startMs: T0 + 60_000,
      keywords: [
        { key: 'go', count: 6 },
        { key: 'rust', count: 3 },
      ],
      mentions: [{ key: 'r/news', count: 1 }],
    });
  });
});
