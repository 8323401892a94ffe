import { ManualClock } from '@app/common/clock';
import {
  type EngineInput,
  ingestAcrossLaneEnds,
  type LaneEnd,
  LIVE_LANE,
  tumbling,
  WindowEngine,
} from '@app/streaming/domain/engine';
import {
  DEFAULT_SHIFT_OPTIONS,
  DEFAULT_TREND_OPTIONS,
  type JudgedMinutes,
  PartitionTrends,
} from '@app/trends/domain';
import { event, MINUTE, T0 } from '../streaming/engine/fixtures';

const SECOND = 1_000;

const live = (atMs: number, fullname: string): EngineInput =>
  event({ fullname, eventTimeMs: T0 + atMs, keywords: [{ key: 'launch', count: 1 }] });

/**
 * The consumer's path for trends: the engine's outcome counted in
 * (StreamingService.apply), judged at flushes (Flusher.flush).
 */
class Partition {
  readonly engine = new WindowEngine({
    specs: [tumbling(MINUTE)],
    outOfOrdernessMs: 10 * SECOND,
    allowedLatenessMs: 30 * SECOND,
    idleTimeoutMs: 60 * SECOND,
    clock: new ManualClock(1_000_000),
    aggregate: { topK: 5, maxExactAuthors: 100 },
    // The archive of closed windows: the live lane can end and resume only with it.
    mergeHorizonMs: 3_600_000,
  });
  readonly trends = new PartitionTrends({
    terms: DEFAULT_TREND_OPTIONS,
    shifts: DEFAULT_SHIFT_OPTIONS,
    minuteTerms: 100,
  });
  readonly judged: JudgedMinutes[] = [];

  feed(inputs: readonly EngineInput[], ends: readonly LaneEnd[] = []): void {
    const outcome = ingestAcrossLaneEnds(this.engine, 'p0', inputs, ends);
    outcome.applied.forEach((input, i) =>
      this.trends.count(
        input,
        outcome.appliedWatermarksMs[i] ?? Number.NEGATIVE_INFINITY,
        outcome.appliedClosedThroughMs[i] ?? Number.NEGATIVE_INFINITY,
      ),
    );
  }

  flush(): void {
    this.engine.drain('p0');
    this.judged.push(
      this.trends.judge(
        (lane) => this.engine.laneWatermark('p0', lane),
        (lane) => this.engine.laneClosedThrough('p0', lane),
      ),
    );
  }

  /** Each judged minute's events, in the order judged. */
  get minutes(): [number, number][] {
    return this.judged.flatMap((j) =>
      j.contributions.map((c) => [(c.minuteMs - T0) / MINUTE, c.events] as [number, number]),
    );
  }
}

describe('trends of a live lane that ends and resumes', () => {
  // Minute 0 has four events when the last live stream stops; live data
  // comes again with one more for minute 0 and some for minutes 1 and 2.
  const before = [0, 10, 20, 30].map((s, i) => live(s * SECOND, `t1_a${i}`));
  const after = [
    live(35 * SECOND, 't1_late'),
    live(70 * SECOND, 't1_b0'),
    live(80 * SECOND, 't1_b1'),
    live(150 * SECOND, 't1_c0'),
  ];

  function run(flushBetween: boolean): Partition {
    const p = new Partition();
    p.feed(before);
    p.feed([], [{ lane: LIVE_LANE, after: 0 }]);
    if (flushBetween) p.flush();
    p.feed(after);
    p.flush();
    return p;
  }

  it('judges the minutes the end closed with the counts they had then, whenever the flush comes', () => {
    const flushed = run(true);
    const unflushed = run(false);
    // Minute 0 was judged at the end with its four events (the fifth is late
    // for trends); minute 1 once the resumed lane's watermark passed it.
    expect(flushed.minutes).toEqual([
      [0, 4],
      [1, 2],
    ]);
    expect(unflushed.minutes).toEqual(flushed.minutes);
    expect(flushed.trends.openMinutes).toBe(unflushed.trends.openMinutes);
    // The windows count the late event all the same.
    expect(unflushed.engine.laneClosedThrough('p0', LIVE_LANE)).toBe(T0 + 30 * SECOND);
  });

  it('keeps judging the resumed lane by its watermark', () => {
    const p = run(false);
    // The watermark reaches 190 s: minute 2 is complete.
    p.feed([live(200 * SECOND, 't1_d0')]);
    p.flush();
    expect(p.minutes).toEqual([
      [0, 4],
      [1, 2],
      [2, 1],
    ]);
  });
});
