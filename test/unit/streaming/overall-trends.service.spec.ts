import { ManualClock } from '@app/common/clock';
import { type AppConfig } from '@app/config';
import { type ConsumedBatch } from '@app/kafka/consumer/consumed-batch';
import { type ConsumerControl } from '@app/kafka/consumer/consumer-control';
import { type TrendMinutePublisher } from '@app/kafka/ports';
import { MetricsService } from '@app/metrics/metrics.service';
import { type PartitionRef, type CheckpointWrite } from '@app/storage/records';
import { OverallTrendsService } from '@app/streaming/overall-trends.service';
import { type OutputWriter } from '@app/streaming/output-writer';
import { type MinutesReport } from '@app/trends/domain';
import { MemoryCheckpointStore } from '../../support/memory-checkpoint-store';

const TOPIC = 'reddit.trend-minutes';
const MINUTE = 60_000;

/** A checkpoint store whose next save fails when told to (a store outage). */
class FlakyStore extends MemoryCheckpointStore {
  failNext = false;

  override save(ref: PartitionRef, write: CheckpointWrite): Promise<void> {
    if (!this.failNext) return super.save(ref, write);
    this.failNext = false;
    return Promise.reject(new Error('store unavailable'));
  }
}

function setup() {
  const config = {
    trends: { enabled: true, termCapacity: 5000, minSupport: 5, minuteTerms: 1000 },
    kafka: { consumerGroup: 'g', topics: { trendMinutes: TOPIC } },
    streaming: { enabled: false, checkpointIntervalMs: 3_600_000 },
  } as unknown as AppConfig;
  const store = new FlakyStore();
  const seeks: string[] = [];
  const control = {
    seek: (_topic: string, _partition: number, offset: string) => seeks.push(offset),
    onRebalancing: () => undefined,
    onAssigned: () => undefined,
  } as unknown as ConsumerControl;
  const writer = {
    write: () => Promise.resolve(),
    recordWritten: () => undefined,
  } as unknown as OutputWriter;
  const ticks = { publish: () => Promise.resolve() } as unknown as TrendMinutePublisher;
  const service = new OverallTrendsService(
    config,
    store,
    writer,
    control,
    ticks,
    new MetricsService(),
    new ManualClock(0),
  );
  service.onModuleInit();
  return { service, store, seeks };
}

/** Reports of one partition at the given offsets; the watermark is the offset in minutes. */
function batch(offsets: readonly number[], timestampMs = (offset: number) => offset * 1_000) {
  const report = (offset: number): MinutesReport => ({
    source: 'reddit.events/0',
    watermarkMs: offset * MINUTE,
    minutes: [
      {
        subreddit: 'a',
        minuteMs: (offset - 1) * MINUTE,
        events: 1,
        sentimentSum: 0,
        sentimentCount: 0,
        terms: [],
      },
    ],
  });
  return {
    topic: TOPIC,
    partition: 0,
    messages: offsets.map((offset) => ({
      offset: String(offset),
      key: 'reddit.events/0',
      value: Buffer.from(JSON.stringify(report(offset))),
      timestampMs: timestampMs(offset),
      headers: {},
    })),
  } satisfies ConsumedBatch;
}

describe('OverallTrendsService', () => {
  it('re-reads from the first offset it took when it fails before its first checkpoint', async () => {
    const { service, store, seeks } = setup();
    // Nothing judged in the first 15 s of reports: no checkpoint yet.
    expect(await service.processBatch(batch([0, 1, 2]))).toEqual({
      commitOffset: null,
      deferred: false,
    });
    store.failNext = true;
    // This batch completes minutes and saves: the save fails.
    const failed = await service.processBatch(batch([3, 4], (o) => o * 10_000));
    expect(failed.deferred).toBe(true);
    expect(seeks).toEqual(['0']);
    // Read again from there, it judges and checkpoints everything.
    const again = await service.processBatch(batch([0, 1, 2, 3, 4], (o) => o * 10_000));
    expect(again).toEqual({ commitOffset: '5', deferred: false });
    expect(store.nextOffset).toBe('5');
  });

  it('sends a batch that begins past what it has taken back for the reports in between', async () => {
    const { service, store, seeks } = setup();
    await service.processBatch(batch([0, 1, 2, 3], (o) => o * 10_000));
    expect(store.nextOffset).toBe('4');
    // Fetched before a seek, or the consumer's position ran ahead: 4 and 5 would be skipped.
    expect(await service.processBatch(batch([6, 7], (o) => o * 10_000))).toEqual({
      commitOffset: null,
      deferred: true,
    });
    expect(seeks).toEqual(['4']);
    const resumed = await service.processBatch(batch([4, 5, 6, 7], (o) => o * 10_000));
    expect(resumed).toEqual({ commitOffset: '8', deferred: false });
    // The same hole twice: those reports are gone from the log, so it goes on.
    const gone = await service.processBatch(batch([10, 11], (o) => o * 10_000));
    expect(gone.deferred).toBe(true);
    const after = await service.processBatch(batch([10, 11], (o) => o * 10_000));
    expect(after).toEqual({ commitOffset: '12', deferred: false });
    expect(seeks).toEqual(['4', '8']);
  });
});
