import {
  AllSubredditsTrends,
  DEFAULT_SHIFT_OPTIONS,
  DEFAULT_TREND_OPTIONS,
  type MinuteContribution,
  type MinutesReport,
  splitReport,
  type TrendStateItem,
} from '@app/trends/domain';
import { minute } from './series';

const OPTIONS = { terms: DEFAULT_TREND_OPTIONS, shifts: DEFAULT_SHIFT_OPTIONS, minuteTerms: 1000 };
const SECOND = 1_000;

const minuteOf = (subreddit: string, m: number, terms = 0): MinuteContribution => ({
  subreddit,
  minuteMs: minute(m),
  events: 1 + terms,
  sentimentSum: 0,
  sentimentCount: 0,
  terms: Array.from({ length: terms }, (_, i) => ['keyword', `term-${m}-${i}`, 1] as const),
});

const report = (
  source: string,
  watermarkMinute: number | null,
  minutes: MinuteContribution[] = [],
  extra: Partial<MinutesReport> = {},
): MinutesReport => ({
  source,
  watermarkMs: watermarkMinute === null ? null : minute(watermarkMinute),
  minutes,
  ...extra,
});

/** Applies a checkpoint delta to a store of items, as the checkpoint store does. */
function save(store: Map<string, TrendStateItem>, overall: AllSubredditsTrends): void {
  const delta = overall.takeCheckpoint();
  for (const d of delta.deletes) store.delete(`${d.kind}/${d.key}`);
  // A JSON round trip, as the store's.
  for (const u of delta.upserts)
    store.set(`${u.kind}/${u.key}`, JSON.parse(JSON.stringify(u)) as TrendStateItem);
}

describe('AllSubredditsTrends', () => {
  it('judges everything reported once every partition has ended, also after a restart', () => {
    const overall = new AllSubredditsTrends(OPTIONS);
    overall.add(report('p0', 4, [minuteOf('a', 1), minuteOf('a', 2)]), 1 * SECOND);
    overall.add(report('p1', 3, [minuteOf('b', 1), minuteOf('b', 2)]), 2 * SECOND);
    const store = new Map<string, TrendStateItem>();
    save(store, overall);
    // p0 ends: p1 alone holds the scope back.
    expect(overall.add(report('p0', null), 20 * SECOND).minutes).toBe(2);
    expect(overall.judgedThrough).toBe(minute(3));
    // The last partition ends, with the minutes its end judged (past its
    // watermark): all either reported is complete.
    const last = report('p1', null, [minuteOf('b', 3), minuteOf('b', 4)]);
    const ended = overall.add(last, 21 * SECOND);
    expect(overall.judgedThrough).toBe(minute(5));
    expect(ended.minutes).toBe(2);

    const restarted = new AllSubredditsTrends(OPTIONS);
    restarted.restore([...store.values()], null);
    restarted.add(report('p0', null), 20 * SECOND);
    restarted.add(last, 21 * SECOND);
    expect(restarted.judgedThrough).toBe(minute(5));
  });

  it('waits for a partition that falls silent (a failover) but not for one that says it is idle', () => {
    const overall = new AllSubredditsTrends(OPTIONS);
    overall.add(report('p0', 5, [minuteOf('a', 4)]), 0);
    overall.add(report('p1', 5, [minuteOf('b', 4)]), SECOND);
    overall.add(report('p0', 6), 20 * SECOND);
    expect(overall.judgedThrough).toBe(minute(5));
    // p1's owner died: for two minutes nothing comes from it, then its new
    // owner replays from the checkpoint and reports minute 5.
    overall.add(report('p0', 9, [minuteOf('a', 5), minuteOf('a', 6), minuteOf('a', 7)]), 140_000);
    expect(overall.judgedThrough).toBe(minute(5));
    const back = overall.add(report('p1', 9, [minuteOf('b', 5), minuteOf('b', 6)]), 150_000);
    expect(back.dropped).toBe(0);
    expect(overall.judgedThrough).toBe(minute(9));
    // p1 has no live data any more, and says so: p0 alone moves the scope.
    overall.add(report('p1', 9, [], { idle: true }), 160_000);
    overall.add(report('p0', 11, [minuteOf('a', 9)]), 170_000);
    expect(overall.judgedThrough).toBe(minute(11));
    // Back from idle, p1 holds the scope again.
    overall.add(report('p1', 11, [minuteOf('b', 11)]), 175_000);
    overall.add(report('p0', 13), 180_000);
    expect(overall.judgedThrough).toBe(minute(11));
    // Silent for five minutes, it no longer does, idle or not.
    overall.add(report('p0', 20), 176_000 + 300_000);
    expect(overall.judgedThrough).toBe(minute(20));
  });

  it('waits for a partition of the topic it has not heard from, up to SILENT_MS from the first report', () => {
    // A crash as t/2's first report was being sent: t/0 and t/1's landed.
    const crashed = new AllSubredditsTrends(OPTIONS);
    const counted = { partitions: 3 };
    crashed.add(report('t/0', 32, [minuteOf('a', 30)], counted), 0);
    crashed.add(report('t/1', 32, [minuteOf('b', 30)], counted), SECOND);
    const store = new Map<string, TrendStateItem>();
    save(store, crashed);
    // The new owner replays all three; t/0 and t/1 report first, well past the start-up wait.
    const restarted = new AllSubredditsTrends(OPTIONS);
    restarted.restore([...store.values()], null);
    restarted.add(report('t/0', 40, [minuteOf('a', 30), minuteOf('a', 35)], counted), 40 * SECOND);
    restarted.add(report('t/1', 40, [minuteOf('b', 35)], counted), 41 * SECOND);
    expect(restarted.judgedThrough).toBeNull();
    // t/2's minutes from before the crash still count.
    const late = restarted.add(
      report('t/2', 40, [minuteOf('c', 30), minuteOf('c', 35)], counted),
      42 * SECOND,
    );
    expect(late.dropped).toBe(0);
    expect(late.minutes).toBe(2);
    expect(restarted.judgedThrough).toBe(minute(40));

    // Without partition counts (reports from before they were sent) it judges as soon as it can.
    const uncounted = new AllSubredditsTrends(OPTIONS);
    uncounted.add(report('t/0', 32, [minuteOf('a', 30)]), 0);
    uncounted.add(report('t/0', 40), 40 * SECOND);
    expect(uncounted.judgedThrough).toBe(minute(40));
  });

  it('stops waiting for a partition that never reports (no live data) after SILENT_MS', () => {
    const overall = new AllSubredditsTrends(OPTIONS);
    overall.add(report('t/0', 2, [minuteOf('a', 1)], { partitions: 2 }), 0);
    overall.add(report('t/0', 3, [minuteOf('a', 2)], { partitions: 2 }), 60 * SECOND);
    expect(overall.judgedThrough).toBeNull();
    const store = new Map<string, TrendStateItem>();
    save(store, overall);
    // The count survives a restart, and the wait is measured from the very first report.
    const restarted = new AllSubredditsTrends(OPTIONS);
    restarted.restore([...store.values()], null);
    restarted.add(report('t/0', 4), 200 * SECOND);
    expect(restarted.judgedThrough).toBeNull();
    const judged = restarted.add(report('t/0', 6, [minuteOf('a', 4)]), 300 * SECOND);
    expect(judged.minutes).toBe(3);
    expect(restarted.judgedThrough).toBe(minute(6));
  });

  it('takes a large report in parts, in order, and moves on only with the last', () => {
    const minutes = Array.from({ length: 40 }, (_, i) => minuteOf(`s${i}`, 3, 20));
    const whole = report('p0', 4, minutes);
    const parts = splitReport(whole, 4_000);
    expect(parts.length).toBeGreaterThan(3);
    expect(parts.flatMap((p) => p.minutes)).toEqual(minutes);
    for (const part of parts.slice(0, -1)) {
      expect(part.more).toBe(true);
      expect(JSON.stringify(part.minutes).length).toBeLessThanOrEqual(4_000);
    }
    expect(parts.at(-1)?.more).toBeUndefined();
    expect(splitReport(report('p0', 4, []))).toEqual([report('p0', 4, [])]);

    const overall = new AllSubredditsTrends(OPTIONS);
    overall.add(report('p0', 3), 0);
    const judged = parts.map((part, i) => overall.add(part, 20 * SECOND + i));
    // Every part counted; judged once the last said where p0 stands.
    expect(judged.reduce((n, j) => n + j.dropped, 0)).toBe(0);
    expect(judged.slice(0, -1).every((j) => j.minutes === 0)).toBe(true);
    expect(judged.at(-1)?.minutes).toBe(1);
    expect(overall.judgedThrough).toBe(minute(4));
  });
});
