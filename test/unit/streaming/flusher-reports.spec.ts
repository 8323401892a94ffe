import { ManualClock } from '@app/common/clock';
import { type StreamingConfig } from '@app/config';
import { type ConsumerControl } from '@app/kafka/consumer/consumer-control';
import { MetricsService } from '@app/metrics/metrics.service';
import { type Checkpointer } from '@app/streaming/checkpointer';
import { tumbling, WindowEngine } from '@app/streaming/domain/engine';
import { Flusher } from '@app/streaming/flusher';
import { type OutputWriter } from '@app/streaming/output-writer';
import { type PartitionLifecycle } from '@app/streaming/partition/partition-lifecycle';
import { PartitionRuntime } from '@app/streaming/partition/partition-runtime';
import {
  DEFAULT_SHIFT_OPTIONS,
  DEFAULT_TREND_OPTIONS,
  type MinutesReport,
  PartitionTrends,
} from '@app/trends/domain';
import { event, MINUTE, T0 } from './engine/fixtures';

const SECOND = 1_000;

function setup() {
  const clock = new ManualClock(1_000_000);
  const engine = new WindowEngine({
    specs: [tumbling(MINUTE)],
    outOfOrdernessMs: 10 * SECOND,
    allowedLatenessMs: 30 * SECOND,
    idleTimeoutMs: 30 * SECOND,
    clock,
    aggregate: { topK: 5, maxExactAuthors: 100 },
  });
  const reports: MinutesReport[] = [];
  const writer = {
    write: (_w: unknown, _o: unknown, _t: unknown, sent: readonly MinutesReport[] = []) => {
      reports.push(...sent);
      return Promise.resolve();
    },
    recordWritten: () => undefined,
  } as unknown as OutputWriter;
  const flusher = new Flusher({
    engine,
    partitions: { bufferedTotal: () => 0, fail: () => undefined } as unknown as PartitionLifecycle,
    writer,
    checkpoints: { save: () => Promise.resolve() } as unknown as Checkpointer,
    control: { commit: () => Promise.resolve() } as unknown as ConsumerControl,
    metrics: new MetricsService(),
    clock,
    config: {
      maxBufferedEvents: 10_000,
      windowFlushIntervalMs: SECOND,
      checkpointIntervalMs: 600 * SECOND,
    } as StreamingConfig,
  });
  const trends = new PartitionTrends({
    terms: DEFAULT_TREND_OPTIONS,
    shifts: DEFAULT_SHIFT_OPTIONS,
    minuteTerms: 100,
  });
  const runtime = new PartitionRuntime(
    { group: 'g', topic: 'reddit.events', partition: 0 },
    clock.now(),
    trends,
  );
  runtime.restored(1, null, clock.now());
  let offset = 0n;
  const feed = (atMs: number) => {
    const outcome = engine.ingest(runtime.key, [
      event({ fullname: `t1_${atMs}`, eventTimeMs: T0 + atMs }),
    ]);
    outcome.applied.forEach((input, i) =>
      trends.count(input, outcome.appliedWatermarksMs[i] ?? Number.NEGATIVE_INFINITY),
    );
    runtime.nextOffset = ++offset;
  };
  return { clock, flusher, runtime, reports, feed };
}

describe('Flusher: reports to the all-subreddits scope', () => {
  it('says when the live lane has gone idle, in a flush of its own, once', async () => {
    const { clock, flusher, runtime, reports, feed } = setup();
    feed(0);
    feed(70 * SECOND);
    clock.advance(2 * SECOND);
    expect(flusher.due(runtime)).toBe(true);
    await flusher.flush(runtime);
    expect(reports).toEqual([
      {
        source: 'reddit.events/0',
        watermarkMs: T0 + 60 * SECOND,
        minutes: [expect.objectContaining({ minuteMs: T0, events: 1 })],
      },
    ]);
    // Nothing new: nothing due until the idle timeout has passed.
    clock.advance(20 * SECOND);
    expect(flusher.due(runtime)).toBe(false);
    clock.advance(11 * SECOND);
    expect(flusher.due(runtime)).toBe(true);
    await flusher.flush(runtime);
    expect(reports.at(-1)).toEqual({
      source: 'reddit.events/0',
      watermarkMs: T0 + 60 * SECOND,
      idle: true,
      minutes: [],
    });
    clock.advance(60 * SECOND);
    expect(flusher.due(runtime)).toBe(false);
    // Live data again: the next report holds the scope back again.
    feed(80 * SECOND);
    clock.advance(2 * SECOND);
    await flusher.flush(runtime);
    expect(reports.at(-1)).toMatchObject({ watermarkMs: T0 + 70 * SECOND });
    expect(reports.at(-1)?.idle).toBeUndefined();
  });
});
