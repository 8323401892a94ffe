import {
  DEFAULT_TREND_OPTIONS,
  poissonUpperTail,
  type RisingTerm,
  TermTable,
  type TrendOptions,
} from '@app/trends/domain';
import { minute, poisson, seeded } from './series';

const OPTIONS: TrendOptions = DEFAULT_TREND_OPTIONS;

/** Feeds one term's series (count per minute) and returns the rises reported for it. */
function run(series: readonly number[], table = TermTable.empty(), from = 0): RisingTerm[] {
  const rising: RisingTerm[] = [];
  series.forEach((count, i) => {
    const counts = new Map(count > 0 ? [['gme', count]] : []);
    // A background term keeps the scope's minutes moving, as real traffic does.
    counts.set('the', 50);
    rising.push(
      ...table
        .observe('wallstreetbets', 'keyword', minute(from + i), counts, OPTIONS)
        .filter((r) => r.term === 'gme'),
    );
  });
  return rising;
}

describe('the Poisson tail', () => {
  it('matches hand-computed values', () => {
    // P(X >= 1 | 2) = 1 - e^-2; P(X >= 3 | 1) = 1 - e^-1 (1 + 1 + 1/2).
    expect(poissonUpperTail(1, 2)).toBeCloseTo(1 - Math.exp(-2), 12);
    expect(poissonUpperTail(3, 1)).toBeCloseTo(1 - Math.exp(-1) * 2.5, 12);
    expect(poissonUpperTail(0, 5)).toBe(1);
    expect(poissonUpperTail(5000, 10)).toBe(0);
    expect(poissonUpperTail(2000, 2000)).toBeGreaterThan(0.49);
  });
});

describe('term trends on hand-made series', () => {
  it('reports nothing for a steady term, however long', () => {
    const random = seeded(1);
    const steady = Array.from({ length: 600 }, () => poisson(10, random));
    expect(run(steady)).toEqual([]);
  });

  it('reports a spike at its minute, with the rate it broke from, and not after it', () => {
    const random = seeded(2);
    const series = Array.from({ length: 120 }, () => poisson(3, random));
    series[90] = 30;
    const rising = run(series);
    expect(rising).toHaveLength(1);
    const [spike] = rising;
    expect(spike).toMatchObject({ minuteMs: minute(90), count: 30, isNew: false });
    expect(spike?.expected).toBeGreaterThan(2);
    expect(spike?.expected).toBeLessThan(4.5);
    expect(spike?.confidence).toBeGreaterThan(0.999);
    expect(spike?.risingSinceMs).toBe(minute(90));
  });

  it('keeps when a surge started while it lasts', () => {
    const random = seeded(3);
    const series = Array.from({ length: 100 }, (_, i) =>
      poisson(i >= 60 && i < 63 ? 40 : 4, random),
    );
    const rising = run(series);
    expect(rising.map((r) => r.minuteMs)).toEqual([minute(60), minute(61), minute(62)]);
    expect(rising.every((r) => r.risingSinceMs === minute(60))).toBe(true);
  });

  it('follows a gentle ramp without alarm, and catches a steep one within two minutes', () => {
    const gentle = Array.from({ length: 180 }, (_, i) => Math.round(5 * 1.01 ** i));
    expect(run(gentle)).toEqual([]);
    const steep = [
      ...Array.from({ length: 60 }, () => 5),
      ...Array.from({ length: 8 }, (_, i) => Math.round(5 * 2 ** (i + 1))),
    ];
    const rising = run(steep);
    expect(rising[0]?.minuteMs).toBeLessThanOrEqual(minute(61));
  });

  it('learns a new normal level: a lasting jump stops being news within the hour', () => {
    const random = seeded(6);
    const series = Array.from({ length: 240 }, (_, i) => poisson(i < 120 ? 5 : 50, random));
    const rising = run(series);
    expect(rising[0]?.minuteMs).toBe(minute(120));
    const last = rising[rising.length - 1]?.minuteMs ?? 0;
    expect(last).toBeGreaterThan(minute(122));
    expect(last).toBeLessThan(minute(180));
  });

  it('takes a new term as rising only with the new-term support', () => {
    const quiet = [...Array.from({ length: 30 }, () => 0), 6];
    expect(run(quiet)).toEqual([]);
    const surge = [...Array.from({ length: 30 }, () => 0), 12];
    expect(run(surge)).toMatchObject([{ minuteMs: minute(30), count: 12, isNew: true }]);
  });

  it('does not take the end of a lull for a surge', () => {
    const random = seeded(4);
    const series = [
      ...Array.from({ length: 180 }, () => poisson(10, random)),
      ...Array.from({ length: 40 }, () => 0),
      ...Array.from({ length: 60 }, () => poisson(10, random)),
    ];
    expect(run(series)).toEqual([]);
  });

  it('reports nothing while the scope is warming up', () => {
    expect(run([40, 40, 40, 40])).toEqual([]);
  });

  it('ignores a minute it has already judged (a replay), and minutes out of order', () => {
    const table = TermTable.empty();
    run([...Array.from({ length: 30 }, () => 2), 40], table);
    expect(
      table.observe('wallstreetbets', 'keyword', minute(30), new Map([['gme', 40]]), OPTIONS),
    ).toEqual([]);
  });

  it('keeps its memory bounded however many distinct terms arrive', () => {
    const options = { ...OPTIONS, capacity: 1_000 };
    const table = TermTable.empty();
    let next = 0;
    for (let m = 0; m < 30; m++) {
      const counts = new Map<string, number>([['steady', 20]]);
      for (let i = 0; i < 10_000; i++) counts.set(`term${next++}`, 1);
      table.observe('askreddit', 'keyword', minute(m), counts, options);
      expect(table.size).toBeLessThanOrEqual(1_250);
    }
    expect(next).toBe(300_000);
    // The frequent term survives the churn of the one-off terms.
    expect(JSON.stringify(table.toJSON())).toContain('"steady"');
  });

  it('decides the same after a round trip through its checkpoint form', () => {
    const random = seeded(5);
    const series = Array.from({ length: 120 }, (_, i) => poisson(i === 100 ? 35 : 3, random));
    const straight = run(series);
    const first = TermTable.empty();
    run(series.slice(0, 70), first);
    const restored = TermTable.fromJSON(JSON.parse(JSON.stringify(first.toJSON())));
    expect(run(series.slice(70), restored, 70)).toEqual(straight);
  });
});
