import { ManualClock } from '@app/common/clock';
import { abortableSleep, ReplayPacer, speedFactor } from '@app/ingest/sources/replay/replay-pacer';

describe('speedFactor', () => {
  it('maps max to no pacing, realtime to 1 and N to N', () => {
    expect(speedFactor('max')).toBeNull();
    expect(speedFactor('realtime')).toBe(1);
    expect(speedFactor(60)).toBe(60);
    expect(speedFactor(0.5)).toBe(0.5);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('rejects %p', (speed) => {
    expect(() => speedFactor(speed)).toThrow(/speed must be/);
  });
});

describe('ReplayPacer', () => {
  const T0 = 1_700_000_000;

  it('never waits at max speed', () => {
    const pacer = new ReplayPacer(null, new ManualClock(0));
    expect([T0, T0 + 3600, T0 + 7200].map((t) => pacer.delayBefore(t))).toEqual([0, 0, 0]);
  });

  it('schedules each item at start + its created_utc offset / speed', () => {
    const clock = new ManualClock(1_000_000);
    const pacer = new ReplayPacer(10, clock);
    expect(pacer.delayBefore(T0)).toBe(0); // the anchor
    expect(pacer.delayBefore(T0 + 10)).toBe(1000);
    clock.advance(1000);
    expect(pacer.delayBefore(T0 + 10)).toBe(0); // same second: no wait
    expect(pacer.delayBefore(T0 + 25)).toBe(1500);
    clock.advance(400); // woke early, e.g. by an abort
    expect(pacer.delayBefore(T0 + 25)).toBe(1100);
  });

  it('does not wait for items older than the schedule (out of order, or a replay that fell behind)', () => {
    const clock = new ManualClock(0);
    const pacer = new ReplayPacer(1, clock);
    pacer.delayBefore(T0 + 100);
    expect(pacer.delayBefore(T0 + 50)).toBe(0);
    clock.advance(20_000); // the consumer was slow
    expect(pacer.delayBefore(T0 + 110)).toBe(0);
    expect(pacer.delayBefore(T0 + 125)).toBe(5000);
  });
});

describe('abortableSleep', () => {
  it('waits for the given time', async () => {
    const started = Date.now();
    await abortableSleep(30, new AbortController().signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('returns as soon as the signal aborts, and at once if it already has', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 10);
    await abortableSleep(60_000, controller.signal);
    expect(Date.now() - started).toBeLessThan(1000);
    await abortableSleep(60_000, controller.signal);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
