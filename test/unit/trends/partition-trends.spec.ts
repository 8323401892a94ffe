import {
  AllSubredditsTrends,
  DEFAULT_SHIFT_OPTIONS,
  DEFAULT_TREND_OPTIONS,
  mentionKind,
  PartitionTrends,
  type PartitionTrendsOptions,
  type TrendEvent,
  type TrendFinding,
  type TrendStateItem,
} from '@app/trends/domain';
import { MINUTE, minute, poisson, seeded } from './series';

const OPTIONS: PartitionTrendsOptions = {
  terms: DEFAULT_TREND_OPTIONS,
  shifts: DEFAULT_SHIFT_OPTIONS,
  minuteTerms: 1000,
};
const OUT_OF_ORDERNESS_MS = 10_000;

/**
 * A subreddit's stream over `minutes` minutes: background words at steady
 * rates, and "eclipse" at 1 a minute until `burstAt`, 20 a minute from then.
 */
function stream(minutes: number, burstAt: number, seed = 7): TrendEvent[] {
  const random = seeded(seed);
  const events: TrendEvent[] = [];
  for (let m = 0; m < minutes; m++) {
    const background = poisson(30, random);
    const burst = poisson(m >= burstAt ? 20 : 1, random);
    for (let i = 0; i < background + burst; i++) {
      const word = i < burst ? 'eclipse' : `word${Math.floor(random() * 40)}`;
      events.push({
        subreddit: 'space',
        eventTimeMs: minute(m) + Math.floor(random() * MINUTE),
        keywords: [{ key: word, count: 1 }],
        mentions: i % 10 === 0 ? ['r/astronomy'] : [],
        sentiment: 0.1,
      });
    }
  }
  // In event time, a little out of order, as a partition delivers them.
  return events.sort((a, b) => a.eventTimeMs - b.eventTimeMs);
}

/** Feeds events with the watermark a lane would have (newest event minus the out-of-orderness). */
class Feeder {
  readonly findings: TrendFinding[] = [];
  /** `maxMs`: the newest event time so far (a restored lane starts from its checkpointed one). */
  constructor(
    readonly trends: PartitionTrends,
    private maxMs = Number.NEGATIVE_INFINITY,
  ) {}

  get watermark(): number {
    return this.maxMs - OUT_OF_ORDERNESS_MS;
  }

  feed(events: readonly TrendEvent[], judgeEvery: number): void {
    events.forEach((event, i) => {
      this.trends.count(event, this.watermark);
      this.maxMs = Math.max(this.maxMs, event.eventTimeMs);
      if ((i + 1) % judgeEvery === 0) this.judge();
    });
    this.judge();
  }

  judge(): void {
    this.findings.push(...this.trends.judge(() => this.watermark).findings);
  }
}

const eclipse = (findings: readonly TrendFinding[]) => findings.filter((f) => f.term === 'eclipse');

describe('PartitionTrends', () => {
  it('finds a planted burst within two minutes of its start, and nothing in the steady background', () => {
    const feeder = new Feeder(new PartitionTrends(OPTIONS));
    feeder.feed(stream(60, 40), 25);
    const found = eclipse(feeder.findings);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]?.minuteMs).toBeLessThanOrEqual(minute(41));
    expect(found[0]).toMatchObject({ scope: 'space', kind: 'keyword', lane: 'live' });
    expect(found[0]?.sinceMs).toBe(found[0]?.minuteMs);
    expect(found[0]?.value).toBeGreaterThan(found[0]?.expected ?? Infinity);
    expect(found[0]?.confidence).toBeGreaterThan(0.999);
    // Every later finding continues the rise that began with the first.
    for (const f of found) expect(f.sinceMs).toBe(found[0]?.sinceMs);
    expect(feeder.findings.filter((f) => f.term !== 'eclipse' && f.kind !== 'burst')).toEqual([]);
  });

  it('keeps reporting a term new to the subreddit while its surge lasts', () => {
    // "eclipse" never occurs before minute 40, then 20 a minute.
    const events = stream(60, 40).filter(
      (e) => e.keywords[0]?.key !== 'eclipse' || e.eventTimeMs >= minute(40),
    );
    const feeder = new Feeder(new PartitionTrends(OPTIONS));
    feeder.feed(events, 100);
    const found = eclipse(feeder.findings);
    expect(found[0]?.minuteMs).toBe(minute(40));
    expect(found[0]?.isNew).toBe(true);
    // Every judged minute of the surge (the last one is not judged yet), one rise.
    expect(found.length).toBeGreaterThanOrEqual(15);
    for (const f of found) expect(f.sinceMs).toBe(minute(40));
  });

  it('finds the same trends however often it is asked to judge', () => {
    const events = stream(60, 40);
    const often = new Feeder(new PartitionTrends(OPTIONS));
    often.feed(events, 1);
    const rarely = new Feeder(new PartitionTrends(OPTIONS));
    rarely.feed(events, 5000);
    expect(rarely.findings).toEqual(often.findings);
    expect(often.findings.length).toBeGreaterThan(0);
  });

  it('does not count an event its lane had already passed (the minute may be judged)', () => {
    const trends = new PartitionTrends(OPTIONS);
    const event: TrendEvent = {
      subreddit: 's',
      eventTimeMs: minute(3) + 5_000,
      keywords: [{ key: 'late', count: 1 }],
      mentions: [],
      sentiment: null,
    };
    trends.count(event, minute(4));
    expect(trends.openMinutes).toBe(0);
    trends.count(event, minute(4) - 1);
    expect(trends.openMinutes).toBe(1);
  });

  it('neither loses nor repeats a burst when restarted from its checkpoint in the middle of it', () => {
    const events = stream(70, 40);
    const uninterrupted = new Feeder(new PartitionTrends(OPTIONS));
    uninterrupted.feed(events, 40);

    // Checkpoints every 100 events into a store of items; a crash after the
    // last one at 3 minutes into the burst, then a replay from it.
    const store = new Map<string, TrendStateItem>();
    const first = new Feeder(new PartitionTrends(OPTIONS));
    const crashAt = events.findIndex((e) => e.eventTimeMs >= minute(43));
    let checkpointedAt = 0;
    let checkpointedFindings = 0;
    for (let i = 0; i < crashAt; i += 100) {
      first.feed(events.slice(i, Math.min(i + 100, crashAt)), 40);
      if (i + 100 > crashAt) break;
      const delta = first.trends.takeCheckpoint();
      for (const d of delta.deletes) store.delete(`${d.kind}/${d.key}`);
      for (const u of delta.upserts) store.set(`${u.kind}/${u.key}`, u);
      checkpointedAt = i + 100;
      checkpointedFindings = first.findings.length;
    }
    expect(eclipse(first.findings).length).toBeGreaterThan(0);

    const restored = new PartitionTrends(OPTIONS);
    restored.restore(store.values());
    // The lane's watermark comes back with the windows' checkpoint.
    const newest = Math.max(...events.slice(0, checkpointedAt).map((e) => e.eventTimeMs));
    const replay = new Feeder(restored, newest);
    replay.feed(events.slice(checkpointedAt), 40);

    // What was found before the checkpoint, then what the replay found: the
    // uninterrupted run's findings exactly, each once.
    const combined = [...first.findings.slice(0, checkpointedFindings), ...replay.findings];
    expect(combined).toEqual(uninterrupted.findings);
  });

  it('keeps each subreddit and kind to its capacity however many distinct terms arrive', () => {
    const trends = new PartitionTrends({ ...OPTIONS, terms: { ...OPTIONS.terms, capacity: 200 } });
    for (let m = 0; m < 30; m++) {
      for (let i = 0; i < 500; i++) {
        trends.count(
          {
            subreddit: 's',
            eventTimeMs: minute(m) + i,
            keywords: [{ key: `term-${m}-${i}`, count: 1 }],
            mentions: [],
            sentiment: null,
          },
          minute(m) - 1,
        );
      }
      trends.judge(() => minute(m + 1));
    }
    expect(trends.trackedTerms).toBeLessThanOrEqual(250);
    const delta = trends.takeCheckpoint();
    expect(delta.upserts.filter((u) => u.kind === 'trend-term').length).toBeLessThanOrEqual(250);
  });

  describe('a subreddit that falls silent', () => {
    // r/space talks for an hour, falls silent for `silentHours`, then comes
    // back with a surge; r/busy talks all along, so the lane moves on.
    function silence(silentHours: number): { events: TrendEvent[]; revival: number } {
      const random = seeded(11);
      const events: TrendEvent[] = [];
      const say = (subreddit: string, m: number, word: string): void => {
        events.push({
          subreddit,
          eventTimeMs: minute(m) + Math.floor(random() * MINUTE),
          keywords: [{ key: word, count: 1 }],
          mentions: [],
          sentiment: 0.2,
        });
      };
      const revival = 60 + silentHours * 60;
      for (let m = 0; m < revival + 20; m++) {
        say('busy', m, `chat${m % 7}`);
        if (m < 60) for (let i = 0; i < 5; i++) say('space', m, `word${Math.floor(random() * 30)}`);
        if (m >= revival)
          for (let i = 0; i < 40; i++) say('space', m, i < 25 ? 'eclipse' : 'word1');
      }
      events.sort((a, b) => a.eventTimeMs - b.eventTimeMs);
      return { events, revival };
    }

    /** Feeds `events`, checkpointing every 500 into a store of items, as the server does. */
    function checkpointed(events: readonly TrendEvent[], store: Map<string, TrendStateItem>) {
      const feeder = new Feeder(new PartitionTrends(OPTIONS));
      for (let i = 0; i < events.length; i += 500) {
        feeder.feed(events.slice(i, i + 500), 3);
        const delta = feeder.trends.takeCheckpoint();
        for (const d of delta.deletes) store.delete(`${d.kind}/${d.key}`);
        for (const u of delta.upserts) store.set(`${u.kind}/${u.key}`, u);
      }
      return feeder;
    }

    it('is dropped to its first and last minute after a day, whenever judging runs, and its revival is still found', () => {
      const { events, revival } = silence(26);
      const beforeRevival = events.findIndex((e) => e.eventTimeMs >= minute(revival));

      const store = new Map<string, TrendStateItem>();
      const often = checkpointed(events.slice(0, beforeRevival), store);
      // Only r/busy's history is held; r/space's is a dormant record, and the
      // checkpoint holds none of its terms.
      expect(often.trends.scopeCounts).toEqual({ active: 1, dormant: 1 });
      expect(often.trends.trackedTerms).toBe(7);
      const items = [...store.values()];
      expect(items.filter((i) => i.kind === 'trend-term' && i.key.includes('space'))).toEqual([]);
      const dormant = items.find((i) => i.kind === 'trend-scope' && i.key.includes('space'));
      expect(JSON.parse(dormant?.data ?? '{}')).toEqual({
        dormant: true,
        tables: { keyword: { firstMinuteMs: minute(0), lastMinuteMs: minute(59) } },
        shifts: null,
      });
      often.feed(events.slice(beforeRevival), 3);

      // Judged once at the end (never swept: r/space is dropped as its first
      // minute back is judged), and restored from the checkpoint before the
      // revival: the same findings.
      const once = new Feeder(new PartitionTrends(OPTIONS));
      once.feed(events, events.length);
      expect(once.findings).toEqual(often.findings);
      const restored = new PartitionTrends(OPTIONS);
      restored.restore(store.values());
      const newest = Math.max(...events.slice(0, beforeRevival).map((e) => e.eventTimeMs));
      const replay = new Feeder(restored, newest);
      replay.feed(events.slice(beforeRevival), 3);
      const revived = often.findings.filter((f) => f.scope === 'space');
      expect(replay.findings.filter((f) => f.scope === 'space')).toEqual(revived);

      // The revival shows in its first minute: r/space is past its warm-up
      // and expects nothing, so the surge is a burst and its terms are new.
      expect(revived.find((f) => f.kind === 'burst')?.minuteMs).toBe(minute(revival));
      for (const term of ['eclipse', 'word1'])
        expect(revived.find((f) => f.term === term)).toMatchObject({
          minuteMs: minute(revival),
          isNew: true,
        });
    });

    it('within a day keeps its whole history; after 30 days is forgotten and warms up again', () => {
      const { events: hours, revival: hoursRevival } = silence(20);
      const recent = new Feeder(new PartitionTrends(OPTIONS));
      recent.feed(
        hours.filter((e) => e.eventTimeMs < minute(hoursRevival)),
        3,
      );
      expect(recent.trends.scopeCounts).toEqual({ active: 2, dormant: 0 });

      const { events, revival } = silence(31 * 24);
      const store = new Map<string, TrendStateItem>();
      const beforeRevival = events.findIndex((e) => e.eventTimeMs >= minute(revival));
      const feeder = checkpointed(events.slice(0, beforeRevival), store);
      expect(feeder.trends.scopeCounts).toEqual({ active: 1, dormant: 0 });
      expect([...store.values()].filter((i) => i.key.includes('space'))).toEqual([]);
      feeder.feed(events.slice(beforeRevival), 3);
      // Back as a subreddit never seen: nothing during its warm-up.
      const revived = feeder.findings.filter((f) => f.scope === 'space');
      expect(revived.filter((f) => f.minuteMs < minute(revival + 10))).toEqual([]);
    });
  });

  it('judges an ended replay to its end, then forgets its lane (and deletes its checkpointed state)', () => {
    const trends = new PartitionTrends(OPTIONS);
    const lane = 'backfill:replay-1';
    trends.count(
      {
        subreddit: 's',
        lane,
        eventTimeMs: minute(0),
        keywords: [{ key: 'history', count: 1 }],
        mentions: [],
        sentiment: null,
      },
      Number.NEGATIVE_INFINITY,
    );
    trends.judge(() => minute(1));
    const saved = trends.takeCheckpoint();
    expect(saved.upserts.map((u) => u.kind).sort()).toEqual(['trend-scope', 'trend-term']);
    const result = trends.judge(() => Number.POSITIVE_INFINITY);
    expect(result.minutes).toBe(0);
    const deleted = trends.takeCheckpoint().deletes.map((d) => d.kind);
    expect(deleted.sort()).toEqual(['trend-scope', 'trend-term']);
    expect(trends.trackedTerms).toBe(0);
  });

  it('judges all subreddits together from their minutes, each counted once', () => {
    // "ipo" at 3 a minute in each of three subreddits from minute 30: below
    // the support in every one of them, a clear rise across them.
    const perSubreddit = new PartitionTrends(OPTIONS);
    const overall = new AllSubredditsTrends(OPTIONS);
    const subreddits = ['stocks', 'investing', 'wallstreetbets'];
    const random = seeded(11);
    const found: TrendFinding[] = [];
    let dropped = 0;
    for (let m = 0; m < 45; m++) {
      for (const subreddit of subreddits) {
        const ipo = m >= 30 ? 3 : 0;
        for (let i = 0; i < poisson(20, random) + ipo; i++) {
          perSubreddit.count(
            {
              subreddit,
              eventTimeMs: minute(m) + i,
              keywords: [{ key: i < ipo ? 'ipo' : `w${Math.floor(random() * 30)}`, count: 1 }],
              mentions: [],
              sentiment: null,
            },
            minute(m) - 1,
          );
        }
      }
      const judged = perSubreddit.judge(() => minute(m + 1));
      expect(judged.findings.filter((f) => f.term === 'ipo')).toEqual([]);
      // Each report twice, as a consumer replaying after a crash sends it again.
      const report = {
        source: 'events/0',
        watermarkMs: minute(m + 1),
        minutes: judged.contributions,
      };
      for (const sent of [report, report]) {
        const result = overall.add(sent, minute(m) + 61_000);
        dropped += result.dropped;
        found.push(...result.findings);
      }
    }
    expect(dropped).toBe(45 * 3);
    const ipo = found.filter((f) => f.term === 'ipo');
    expect(ipo[0]).toMatchObject({ scope: '*', kind: 'keyword', minuteMs: minute(30) });
    expect(ipo[0]?.value).toBe(9);
    // A subreddit-minute for a minute already judged is late.
    const late = {
      subreddit: 'late',
      minuteMs: minute(10),
      events: 1,
      sentimentSum: 0,
      sentimentCount: 0,
      terms: [],
    };
    const result = overall.add(
      { source: 'events/1', watermarkMs: minute(44), minutes: [late] },
      minute(45),
    );
    expect(result.dropped).toBe(1);
  });

  it('judges all subreddits only once every partition still sending has passed a minute', () => {
    const overall = new AllSubredditsTrends(OPTIONS);
    const minuteOf = (subreddit: string, m: number) => ({
      subreddit,
      minuteMs: minute(m),
      events: 1,
      sentimentSum: 0,
      sentimentCount: 0,
      terms: [],
    });
    // Partition 1 is behind partition 0; nothing is judged in the first 15 s of reports.
    overall.add({ source: 'p1', watermarkMs: minute(3), minutes: [minuteOf('b', 2)] }, 1_000);
    const ahead = overall.add(
      { source: 'p0', watermarkMs: minute(20), minutes: [minuteOf('a', 2), minuteOf('a', 10)] },
      2_000,
    );
    expect(ahead).toMatchObject({ minutes: 0, dropped: 0 });
    expect(
      overall.add({ source: 'p1', watermarkMs: minute(11), minutes: [minuteOf('b', 10)] }, 3_000),
    ).toMatchObject({ minutes: 0, dropped: 0 });
    // Then both minutes are complete (partition 1 has passed minute 10, not 11).
    const judged = overall.add({ source: 'p0', watermarkMs: minute(21), minutes: [] }, 16_500);
    expect(judged.minutes).toBe(2);
    expect(overall.judgedThrough).toBe(minute(11));
    // Partition 1 has no live data any more and says so: it no longer holds the scope back.
    overall.add({ source: 'p1', idle: true, watermarkMs: minute(11), minutes: [] }, 63_000);
    overall.add({ source: 'p0', watermarkMs: minute(21), minutes: [] }, 64_000);
    expect(overall.judgedThrough).toBe(minute(21));
    // Late now: its minute was judged.
    expect(
      overall.add({ source: 'p1', watermarkMs: minute(12), minutes: [minuteOf('b', 11)] }, 64_500)
        .dropped,
    ).toBe(1);
    // A partition whose live lane ended holds nothing back either.
    overall.add({ source: 'p1', watermarkMs: null, minutes: [] }, 65_000);
    expect(overall.judgedThrough).toBe(minute(21));
    // A partition that falls behind, then goes silent with everyone else
    // (without saying it is idle): nothing arrives but the judge's own tick,
    // and after five minutes of silence it no longer holds the scope back.
    overall.add({ source: 'p2', watermarkMs: minute(10), minutes: [] }, 69_000);
    overall.add(
      { source: 'p0', watermarkMs: minute(22) + 5_000, minutes: [minuteOf('a', 21)] },
      70_000,
    );
    expect(overall.judgedThrough).toBe(minute(21));
    const tick = overall.add(
      { source: 'tick', tick: true, watermarkMs: null, minutes: [] },
      371_000,
    );
    expect(tick.minutes).toBe(1);
    expect(overall.judgedThrough).toBe(minute(22) + 5_000);
  });

  it('tells the kinds of mention apart by their prefix', () => {
    expect(['r/news', 'u/spez', '$GME', '#ai', 'nytimes.com'].map(mentionKind)).toEqual([
      'subreddit',
      'user',
      'ticker',
      'hashtag',
      'domain',
    ]);
  });
});
