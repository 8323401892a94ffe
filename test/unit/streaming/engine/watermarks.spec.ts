import { ManualClock } from '@app/common/clock';
import { WatermarkTracker } from '@app/streaming/domain/engine/watermarks';

describe('WatermarkTracker', () => {
  const start = 1_000_000;

  it('is max event time minus out-of-orderness, and never goes back', () => {
    const clock = new ManualClock(start);
    const wm = new WatermarkTracker({ outOfOrdernessMs: 5_000, idleTimeoutMs: 60_000, clock });
    expect(wm.current()).toBe(Number.NEGATIVE_INFINITY);
    wm.observe('p0', [20_000, 12_000]);
    expect(wm.current()).toBe(15_000);
    wm.observe('p0', [10_000]); // out of order: max unchanged
    expect(wm.current()).toBe(15_000);
    wm.observe('p0', [30_000]);
    expect(wm.current()).toBe(25_000);
  });

  it('takes the minimum over active partitions and skips idle ones', () => {
    const clock = new ManualClock(start);
    const wm = new WatermarkTracker({ outOfOrdernessMs: 0, idleTimeoutMs: 10_000, clock });
    wm.observe('p0', [100_000]);
    wm.observe('p1', [40_000]);
    expect(wm.current()).toBe(40_000);

    clock.advance(6_000);
    wm.observe('p0', [110_000]);
    clock.advance(5_000); // p1 silent for 11s > 10s: idle
    expect(wm.isIdle('p1')).toBe(true);
    expect(wm.isIdle('p0')).toBe(false);
    expect(wm.current()).toBe(110_000);

    // p1 wakes up behind: active again, but the operator watermark does not go back.
    wm.observe('p1', [50_000]);
    expect(wm.isIdle('p1')).toBe(false);
    expect(wm.current()).toBe(110_000);
    wm.observe('p0', [200_000]);
    expect(wm.current()).toBe(110_000); // held back by p1 at 50s
    wm.observe('p1', [150_000]);
    expect(wm.current()).toBe(150_000);
  });

  it('holds when every partition is idle, and an empty batch is not activity', () => {
    const clock = new ManualClock(start);
    const wm = new WatermarkTracker({ outOfOrdernessMs: 0, idleTimeoutMs: 1_000, clock });
    wm.observe('p0', [5_000]);
    expect(wm.current()).toBe(5_000);
    clock.advance(2_000);
    wm.observe('p0', []);
    expect(wm.isIdle('p0')).toBe(true);
    expect(wm.current()).toBe(5_000);
  });

  it('snapshots and restores', () => {
    const clock = new ManualClock(start);
    const wm = new WatermarkTracker({ outOfOrdernessMs: 0, idleTimeoutMs: 1_000, clock });
    wm.observe('p0', [5_000]);
    wm.observe('p1', [7_000]);
    wm.current();
    const copy = new WatermarkTracker({ outOfOrdernessMs: 0, idleTimeoutMs: 1_000, clock });
    copy.restore(JSON.parse(JSON.stringify(wm.snapshot())));
    expect(copy.snapshot()).toEqual(wm.snapshot());
    expect(copy.current()).toBe(5_000);
  });

  it('holds the watermark back for a registered partition until it delivers data or goes idle', () => {
    const clock = new ManualClock(start);
    const wm = new WatermarkTracker({ outOfOrdernessMs: 0, idleTimeoutMs: 1_000, clock });
    wm.register('p0');
    wm.register('p1');
    wm.observe('p0', [90_000]); // p0 delivers a backlog first
    expect(wm.current()).toBe(Number.NEGATIVE_INFINITY);
    expect(wm.maxEventTime('p1')).toBeNull();
    wm.observe('p1', [10_000]); // p1's older backlog is not late
    expect(wm.current()).toBe(10_000);

    wm.register('p2');
    expect(wm.current()).toBe(10_000); // held, never back
    clock.advance(1_001);
    wm.observe('p0', [95_000]);
    wm.observe('p1', [20_000]);
    expect(wm.current()).toBe(20_000); // p2 went idle without data
  });
});
