import { ManualClock } from '@app/common/clock';
import {
  type EngineInput,
  type IngestResult,
  WindowEngine,
  type WindowEngineOptions,
} from '@app/streaming/domain/engine/window-engine';
import { hopping, parseWindowSpec, tumbling } from '@app/streaming/domain/engine/window-spec';
import { event, MINUTE, T0 } from './fixtures';

const SECOND = 1_000;
const KEY_T0 = `askreddit|1m|${T0}`;

function engineWith(overrides: Partial<WindowEngineOptions> = {}): {
  engine: WindowEngine;
  clock: ManualClock;
} {
  const clock = new ManualClock(1_000_000);
  const engine = new WindowEngine({
    specs: [tumbling(MINUTE)],
    outOfOrdernessMs: 10 * SECOND,
    allowedLatenessMs: 30 * SECOND,
    idleTimeoutMs: 60 * SECOND,
    clock,
    aggregate: { topK: 5, maxExactAuthors: 100 },
    ...overrides,
  });
  return { engine, clock };
}

const at = (offsetMs: number, fullname: string, extra: Partial<EngineInput> = {}): EngineInput =>
  event({ fullname, eventTimeMs: T0 + offsetMs, ...extra });

describe('WindowEngine', () => {
  it('emits partial updates, fires when the watermark passes the end, re-fires late-but-allowed events, and routes too-late ones', () => {
    const { engine } = engineWith();

    const first = engine.ingest('p0', [at(30 * SECOND, 't1_b'), at(5 * SECOND, 't1_a')]);
    expect(first.updated.map((r) => [r.key, r.emission, r.comments])).toEqual([
      [KEY_T0, 'partial', 2],
    ]);
    expect(first.fired).toEqual([]);
    expect(first.watermarkMs).toBe(T0 + 20 * SECOND);

    // Out of order but not late: W = 20s, the window is still open.
    const second = engine.ingest('p0', [at(69 * SECOND, 't1_d'), at(12 * SECOND, 't1_c')]);
    expect(second.updated.map((r) => r.key).sort()).toEqual([
      KEY_T0,
      `askreddit|1m|${T0 + MINUTE}`,
    ]);
    expect(second.fired).toEqual([]); // W = 59s < end 60s

    const third = engine.ingest('p0', [at(75 * SECOND, 't1_e')]);
    expect(third.watermarkMs).toBe(T0 + 65 * SECOND);
    expect(third.fired.map((r) => [r.key, r.emission, r.comments])).toEqual([[KEY_T0, 'final', 3]]);
    expect(third.updated.map((r) => r.key)).toEqual([`askreddit|1m|${T0 + MINUTE}`]);

    // Late (40s < W = 65s) but within lateness (W < 60s + 30s): re-emitted under the same key.
    const late = engine.ingest('p0', [at(40 * SECOND, 't1_f')]);
    expect(late.refired.map((r) => [r.key, r.emission, r.comments])).toEqual([
      [KEY_T0, 'refire', 4],
    ]);
    expect(late.updated).toEqual([]);
    expect(late.tooLate).toEqual([]);

    // W reaches 100s >= 60s + 30s: the first window is dropped silently.
    const advance = engine.ingest('p0', [at(110 * SECOND, 't1_g')]);
    expect(advance.fired).toEqual([]); // [60s,120s) is still open at W = 100s
    expect(advance.refired).toEqual([]);
    expect(engine.openWindowCount).toBe(1);

    const tooLate = at(50 * SECOND, 't1_h');
    const dropped = engine.ingest('p0', [tooLate]);
    expect(dropped.tooLate).toEqual([tooLate]);
    expect(dropped.updated).toEqual([]);
    expect(dropped.refired).toEqual([]);
  });

  it('counts a duplicate fullname once per window, across and within batches', () => {
    const { engine } = engineWith();
    engine.ingest('p0', [
      at(1 * SECOND, 't1_a', { score: 5 }),
      at(2 * SECOND, 't1_a', { score: 5 }),
    ]);
    const again = engine.ingest('p0', [at(1 * SECOND, 't1_a', { score: 5 })]);
    expect(again.updated).toEqual([]);
    const fired = engine.ingest('p0', [at(2 * MINUTE, 't1_z')]).fired;
    expect(fired[0]).toMatchObject({ key: KEY_T0, comments: 1, scoreSum: 5 });
  });

  it('updates every hopping window an event falls in', () => {
    const { engine } = engineWith({ specs: [parseWindowSpec('1m'), hopping(3 * MINUTE, MINUTE)] });
    const result = engine.ingest('p0', [at(10 * SECOND, 't1_a')]);
    expect(result.updated.map((r) => r.key).sort()).toEqual(
      [
        KEY_T0,
        `askreddit|3m/1m|${T0 - 2 * MINUTE}`,
        `askreddit|3m/1m|${T0 - MINUTE}`,
        `askreddit|3m/1m|${T0}`,
      ].sort(),
    );
  });

  it('is held back by a slow partition until it goes idle, then fires on tick', () => {
    const { engine, clock } = engineWith({ outOfOrdernessMs: 0 });
    engine.ingest('p1', [at(5 * SECOND, 't1_b', { subreddit: 'golang' })]);
    engine.ingest('p0', [at(10 * SECOND, 't1_a', { subreddit: 'rust' })]);
    const ahead = engine.ingest('p0', [at(3 * MINUTE, 't1_c', { subreddit: 'rust' })]);
    expect(ahead.fired).toEqual([]); // p1 holds W at 5s
    expect(ahead.watermarkMs).toBe(T0 + 5 * SECOND);

    clock.advance(30 * SECOND);
    engine.ingest('p0', [at(3 * MINUTE + 1, 't1_d', { subreddit: 'rust' })]);
    clock.advance(31 * SECOND); // p1 silent for 61s > 60s idle timeout
    expect(engine.tick().fired.map((r) => r.key)).toEqual([`golang|1m|${T0}`, `rust|1m|${T0}`]);
    expect(engine.watermarkMs).toBe(T0 + 3 * MINUTE + 1);

    // p1 comes back behind the watermark: active again, W does not go back, its event is late.
    const back = engine.ingest('p1', [at(20 * SECOND, 't1_e', { subreddit: 'golang' })]);
    expect(back.refired.map((r) => r.key)).toEqual([]);
    expect(back.tooLate.map((e) => e.fullname)).toEqual(['t1_e']);
    expect(back.watermarkMs).toBe(T0 + 3 * MINUTE + 1);
  });

  it('drops the state of revoked partitions', () => {
    const { engine } = engineWith();
    engine.ingest('p0', [at(1 * SECOND, 't1_a', { subreddit: 'rust' })]);
    engine.ingest('p1', [at(1 * SECOND, 't1_b', { subreddit: 'golang' })]);
    engine.partitionsRevoked(['p1']);
    expect(engine.openWindowCount).toBe(1);
    expect(engine.snapshot().partitions.map((p) => p.partition)).toEqual(['p0']);
    expect(engine.snapshot().watermarks.partitions.map((p) => p.partition)).toEqual(['p0']);
  });

  it('gives the same results after snapshot -> JSON -> restore as uninterrupted processing', () => {
    const subs = ['rust', 'golang', 'python'];
    const batches: { partition: string; inputs: EngineInput[]; advanceMs: number }[] = [];
    for (let i = 0; i < 40; i++) {
      const inputs: EngineInput[] = [];
      for (let j = 0; j < 5; j++) {
        const n = i * 5 + j;
        // Mostly increasing time with jitter up to 2.5 min back: out of order, late, too late.
        const offset = n * 4 * SECOND - ((n * 37) % 150) * SECOND;
        inputs.push(
          at(offset, `t1_${n % 180}`, {
            subreddit: subs[n % 3] ?? 'rust',
            author: `u${n % 17}`,
            sentiment: ((n % 7) - 3) / 3,
            keywords: [{ key: `k${n % 4}`, count: 1 + (n % 2) }],
            mentions: [`m${n % 3}`],
          }),
        );
      }
      if (i % 10 === 9) inputs.push(at(i * 20 * SECOND - 6 * MINUTE, `t3_old${i}`));
      batches.push({ partition: `p${i % 3}`, inputs, advanceMs: (i % 4) * 10 * SECOND });
    }

    const run = (
      engine: WindowEngine,
      clock: ManualClock,
      from: number,
      to: number,
      finish: boolean,
    ): IngestResult[] => {
      const out: IngestResult[] = [];
      for (const b of batches.slice(from, to)) {
        clock.advance(b.advanceMs);
        out.push(engine.ingest(b.partition, b.inputs));
      }
      if (finish) {
        // Every partition goes quiet: the watermark holds, nothing more fires.
        clock.advance(2 * MINUTE);
        out.push(engine.tick());
      }
      return out;
    };

    const options = { specs: [tumbling(MINUTE), hopping(2 * MINUTE, MINUTE)] };
    const straight = engineWith(options);
    const expected = run(straight.engine, straight.clock, 0, batches.length, true);

    const first = engineWith(options);
    const head = run(first.engine, first.clock, 0, 20, false);
    const checkpoint = JSON.stringify(first.engine.snapshot());
    const second = engineWith(options);
    second.clock.set(first.clock.now());
    second.engine.restore(JSON.parse(checkpoint));
    const tail = run(second.engine, second.clock, 20, batches.length, true);

    expect([...head, ...tail]).toEqual(expected);
    expect(expected.some((r) => r.refired.length > 0)).toBe(true);
    expect(expected.some((r) => r.tooLate.length > 0)).toBe(true);
    expect(expected.flatMap((r) => r.fired).length).toBeGreaterThan(10);
  });
});
