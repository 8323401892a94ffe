import { Logger } from '@nestjs/common';
import { ManualClock } from '@app/common/clock';
import { type DependencyHealth } from '@app/common/health';
import { type DeadLetter } from '@app/events/dead-letter';
import { type LateEvent } from '@app/events/late-event';
import { type RedditEvent } from '@app/events/reddit-event';
import { SyntheticRedditGenerator } from '@app/ingest/sources/synthetic/synthetic-generator';
import { type ConsumedBatch } from '@app/kafka/consumer/consumed-batch';
import { ConsumerControl, type ConsumerHandle } from '@app/kafka/consumer/consumer-control';
import {
  DeadLetterSink,
  LateEventSink,
  TrendMinutePublisher,
  TrendPublisher,
  WindowPublisher,
} from '@app/kafka/ports';
import { MetricsService } from '@app/metrics/metrics.service';
import { VaderSentimentScorer } from '@app/nlp/domain/vader/vader-sentiment.scorer';
import { NlpService } from '@app/nlp/nlp.service';
import { PostStore, TrendStore, Warehouse, WindowStore } from '@app/storage/ports';
import { type PostRecord, type TrendRecord, type WindowRecord } from '@app/storage/records';
import { Checkpointer } from '@app/streaming/checkpointer';
import { ClosedWindowArchive } from '@app/streaming/closed-window-archive';
import { MemoryCheckpointStore } from '../../support/memory-checkpoint-store';
import { OutputWriter } from '@app/streaming/output-writer';
import { StreamingService } from '@app/streaming/streaming.service';
import { testNamespace } from '../../support/environment';

/**
 * The partition lifecycle with everything real but Kafka and the stores:
 * the real engine, NLP, flusher and lifecycle, in-memory stores that keep
 * the newest window version and fence checkpoints by epoch like Cassandra
 * does, and a consumer handle that records what the service asks of it.
 */

const TOPIC = 'events';
const PARTITION = 0;
const T0 = Date.UTC(2025, 0, 1, 0, 0, 0);
/** The backoff after a first failure (250 ms) has passed. */
const AFTER_BACKOFF_MS = 400;

type Call =
  | { kind: 'commit'; offset: string }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'seek'; offset: string }
  | { kind: 'save'; nextOffset: string };

class RecordingHandle implements ConsumerHandle {
  /** As kafkajs does while it restarts a crashed consumer: no group, so no pause, resume or seek. */
  restarting = false;
  constructor(private readonly log: Call[]) {}
  commit(_t: string, _p: number, nextOffset: string): Promise<void> {
    this.log.push({ kind: 'commit', offset: nextOffset });
    return Promise.resolve();
  }
  pause(): void {
    this.refuseWhileRestarting();
    this.log.push({ kind: 'pause' });
  }
  resume(): void {
    this.refuseWhileRestarting();
    this.log.push({ kind: 'resume' });
  }
  seek(_t: string, _p: number, offset: string): void {
    this.refuseWhileRestarting();
    this.log.push({ kind: 'seek', offset });
  }
  private refuseWhileRestarting(): void {
    if (this.restarting)
      throw new Error('Consumer group was not initialized, consumer#run must be called first');
  }
}

/** Keeps the newest version of each window row, as every real store does. */
class MemoryWindowStore extends WindowStore {
  readonly rows = new Map<string, WindowRecord>();
  failNext = 0;
  upsertWindows(windows: readonly WindowRecord[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(new Error('window store unavailable'));
    }
    for (const w of windows) {
      const key = `${w.subreddit}|${w.window}|${w.windowStartMs}`;
      const old = this.rows.get(key);
      if (!old || old.version <= w.version) this.rows.set(key, w);
    }
    return Promise.resolve();
  }
  findWindows(): Promise<WindowRecord[]> {
    return Promise.resolve([...this.rows.values()]);
  }
  getWindows(): Promise<WindowRecord[]> {
    return Promise.resolve([...this.rows.values()]);
  }
  health(): Promise<DependencyHealth> {
    return Promise.resolve({ status: 'up', detail: 'memory' });
  }
}

class MemoryPostStore extends PostStore {
  readonly posts = new Map<string, PostRecord>();
  upsertPosts(posts: readonly PostRecord[]): Promise<void> {
    for (const post of posts) this.posts.set(post.fullname, post);
    return Promise.resolve();
  }
  findLatest(): Promise<PostRecord[]> {
    return Promise.resolve([...this.posts.values()]);
  }
}

/** Trend rows by key, and how often each key was written. */
class MemoryTrendStore extends TrendStore {
  readonly rows = new Map<string, TrendRecord>();
  upsertTrends(trends: readonly TrendRecord[]): Promise<void> {
    for (const t of trends)
      this.rows.set(`${t.scope}|${t.kind}|${t.term}|${t.lane}|${t.minuteMs}`, t);
    return Promise.resolve();
  }
  findTrends(): Promise<TrendRecord[]> {
    return Promise.resolve([...this.rows.values()]);
  }
}

class NullWarehouse extends Warehouse {
  loadPosts(): Promise<void> {
    return Promise.resolve();
  }
  loadWindows(): Promise<void> {
    return Promise.resolve();
  }
  loadTrends(): Promise<void> {
    return Promise.resolve();
  }
  health(): Promise<DependencyHealth> {
    return Promise.resolve({ status: 'up', detail: 'memory' });
  }
}

class NullSinks {
  readonly dead = new (class extends DeadLetterSink {
    send(_letters: readonly DeadLetter[]): Promise<void> {
      return Promise.resolve();
    }
  })();
  readonly late = new (class extends LateEventSink {
    send(_events: readonly LateEvent[]): Promise<void> {
      return Promise.resolve();
    }
  })();
  readonly windows = new (class extends WindowPublisher {
    publish(): Promise<void> {
      return Promise.resolve();
    }
  })();
  readonly trends = new (class extends TrendPublisher {
    publish(): Promise<void> {
      return Promise.resolve();
    }
  })();
  readonly trendMinutes = new (class extends TrendMinutePublisher {
    publish(): Promise<void> {
      return Promise.resolve();
    }
  })();
}

/** The in-memory checkpoint store, logging each save. */
class LoggedCheckpointStore extends MemoryCheckpointStore {
  constructor(log: Call[]) {
    super((write) => log.push({ kind: 'save', nextOffset: write.nextOffset }));
  }

  /** The checkpointed outcomes of the test stream. */
  outcomes(): unknown {
    const item = this.items.get('tally/lifecycle-test');
    return item ? JSON.parse(item.data) : null;
  }
}

/** Every event applied once: what the checkpointed tallies must say at the end. */
const allApplied = (count: number) => ({
  applied: count,
  lateApplied: 0,
  tooLate: 0,
  duplicates: 0,
  deadLettered: 0,
});

interface Server {
  readonly service: StreamingService;
  readonly control: ConsumerControl;
  readonly handle: RecordingHandle;
  readonly metrics: MetricsService;
  readonly log: Call[];
}

function server(
  clock: ManualClock,
  stores: {
    windows: MemoryWindowStore;
    posts: MemoryPostStore;
    checkpoints: LoggedCheckpointStore;
    trends?: MemoryTrendStore;
  },
  log: Call[],
): Server {
  const { config } = testNamespace({
    KAFKA_EVENTS_TOPIC: TOPIC,
    STREAMING_ENABLED: 'false',
    WINDOW_SPECS: '1m',
    WINDOW_FLUSH_INTERVAL_MS: '1000',
    STREAMING_CHECKPOINT_INTERVAL_MS: '5000',
    STREAMING_RETRY_MAX_BACKOFF_MS: '250',
    WINDOW_ALLOWED_LATENESS_MS: '3600000',
  });
  const metrics = new MetricsService();
  const control = new ConsumerControl();
  const handle = new RecordingHandle(log);
  control.attach(handle);
  const sinks = new NullSinks();
  const writer = new OutputWriter(
    stores.posts,
    stores.windows,
    new NullWarehouse(),
    sinks.windows,
    stores.trends ?? new MemoryTrendStore(),
    sinks.trends,
    sinks.trendMinutes,
    sinks.late,
    sinks.dead,
    metrics,
    config,
  );
  const service = new StreamingService(
    config,
    new NlpService(new VaderSentimentScorer()),
    writer,
    new Checkpointer(stores.checkpoints),
    new ClosedWindowArchive(stores.checkpoints),
    control,
    metrics,
    clock,
  );
  // Registers the rebalance listeners. With STREAMING_ENABLED=false no flush
  // timer runs: the manual clock moves only when a test says so, and batches
  // start the flushes.
  service.onModuleInit();
  control.assigned(new Map([[TOPIC, [PARTITION]]]));
  return { service, control, handle, metrics, log };
}

function events(count: number): RedditEvent[] {
  const generator = new SyntheticRedditGenerator({
    seed: 7,
    subreddits: ['rust', 'golang'],
    kinds: ['submission', 'comment'],
    startTimeMs: T0,
    eventIntervalMs: 500,
    streamId: 'lifecycle-test',
  });
  return generator.take(count).map((item) => ({ ...item, ingestedUtc: T0 / 1000 }));
}

function batch(all: readonly RedditEvent[], from: number, to: number): ConsumedBatch {
  return {
    topic: TOPIC,
    partition: PARTITION,
    messages: all.slice(from, to).map((event, i) => ({
      offset: String(from + i),
      key: event.subreddit,
      value: Buffer.from(JSON.stringify(event)),
      timestampMs: T0,
      headers: {},
    })),
  };
}

/** Events per (subreddit, minute), counted offline: what the window rows must say. */
function truth(all: readonly RedditEvent[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const event of new Map(all.map((e) => [e.fullname, e])).values()) {
    const start = Math.floor((event.createdUtc * 1000) / 60_000) * 60_000;
    const key = `${event.subreddit.toLowerCase()}|1m|${start}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function stored(store: MemoryWindowStore): Map<string, number> {
  return new Map(
    [...store.rows.values()].map((w) => [
      `${w.subreddit.toLowerCase()}|1m|${w.windowStartMs}`,
      w.submissions + w.comments,
    ]),
  );
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function newStores(log: Call[]) {
  return {
    windows: new MemoryWindowStore(),
    posts: new MemoryPostStore(),
    checkpoints: new LoggedCheckpointStore(log),
  };
}

describe('partition lifecycle: the real engine with in-memory stores and a recording consumer', () => {
  // The lifecycle logs every restore and pause; the assertions say what matters.
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  afterAll(() => {
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']);
  });

  it('commits an offset only after a checkpoint covering it has been saved', async () => {
    const log: Call[] = [];
    const clock = new ManualClock(T0);
    const stores = newStores(log);
    const { service } = server(clock, stores, log);
    const input = events(120);

    // First batch: the state is claimed, nothing is due yet.
    expect(await service.processBatch(batch(input, 0, 40))).toEqual({
      commitOffset: null,
      deferred: false,
    });
    // A second later the windows are due, the checkpoint is not: rows, no commit.
    clock.advance(1000);
    expect((await service.processBatch(batch(input, 40, 80))).commitOffset).toBeNull();
    await until(() => stores.windows.rows.size > 0, 'window rows');
    expect(log.filter((c) => c.kind === 'save' || c.kind === 'commit')).toEqual([]);

    // Past the checkpoint interval the flush saves a checkpoint, then commits.
    clock.advance(5000);
    await service.processBatch(batch(input, 80, 120));
    await until(() => log.some((c) => c.kind === 'commit'), 'a commit');
    const saveAt = log.findIndex((c) => c.kind === 'save');
    const commitAt = log.findIndex((c) => c.kind === 'commit');
    expect(saveAt).toBeGreaterThanOrEqual(0);
    expect(saveAt).toBeLessThan(commitAt);
    expect(log[commitAt]).toEqual({ kind: 'commit', offset: '120' });
    expect(stores.checkpoints.nextOffset).toBe('120');
    expect(stored(stores.windows)).toEqual(truth(input));
    expect(stores.checkpoints.outcomes()).toEqual(allApplied(120));
  });

  it('pauses a partition whose store write fails, seeks it back to its checkpoint, and counts nothing twice', async () => {
    const log: Call[] = [];
    const clock = new ManualClock(T0);
    const stores = newStores(log);
    const { service, metrics } = server(clock, stores, log);
    const input = events(90);

    await service.processBatch(batch(input, 0, 30));
    clock.advance(6000);
    await service.processBatch(batch(input, 30, 60));
    await until(() => stores.checkpoints.nextOffset === '60', 'the first checkpoint');

    stores.windows.failNext = 1;
    clock.advance(6000);
    await service.processBatch(batch(input, 60, 90));
    await until(() => service.status().state === 'paused', 'the pause');
    expect(service.status().paused[0]?.reason).toMatch(
      /flushing failed: cassandra_windows: window store unavailable/,
    );
    expect(log.at(-1)).toEqual({ kind: 'pause' });
    expect(await metrics.registry.getSingleMetricAsString('reddit_flushes_total')).toMatch(
      /outcome="failed"\} 1/,
    );
    // While paused a batch is not taken.
    expect(await service.processBatch(batch(input, 60, 90))).toEqual({
      commitOffset: null,
      deferred: true,
    });

    // After the backoff: back to the checkpoint, resumed.
    await sleep(AFTER_BACKOFF_MS);
    expect(log.slice(-2)).toEqual([{ kind: 'seek', offset: '60' }, { kind: 'resume' }]);
    expect(service.status().state).toBe('running');

    // Kafka re-delivers from the checkpoint; the re-read counts each event once.
    await service.processBatch(batch(input, 60, 90));
    clock.advance(6000);
    await service.processBatch({ ...batch(input, 89, 90) });
    await until(() => stores.checkpoints.nextOffset === '90', 'the checkpoint after the retry');
    expect(stored(stores.windows)).toEqual(truth(input));
    expect(stores.checkpoints.outcomes()).toEqual(allApplied(90));
  });

  it('survives a store failure while the consumer restarts (no pause possible), and rebuilds exactly on the rejoin', async () => {
    const log: Call[] = [];
    const clock = new ManualClock(T0);
    const stores = newStores(log);
    const { service, control, handle } = server(clock, stores, log);
    const input = events(90);

    await service.processBatch(batch(input, 0, 30));
    clock.advance(6000);
    await service.processBatch(batch(input, 30, 60));
    await until(() => stores.checkpoints.nextOffset === '60', 'the first checkpoint');

    // Brokers die: kafkajs restarts its consumer while a flush fails. The
    // pause the failure asks for is refused; the server must go on, not end.
    handle.restarting = true;
    stores.windows.failNext = 1;
    clock.advance(6000);
    await service.processBatch(batch(input, 60, 75));
    await until(() => service.status().state === 'paused', 'the failed flush');
    await sleep(AFTER_BACKOFF_MS);
    expect(log.some((c) => c.kind === 'pause')).toBe(false);

    // The restarted consumer rejoins and reads on from the committed offset (60).
    handle.restarting = false;
    control.assigned(new Map([[TOPIC, [PARTITION]]]));
    expect(service.status().state).toBe('running');
    await service.processBatch(batch(input, 60, 90));
    clock.advance(6000);
    await service.processBatch(batch(input, 89, 90));
    await until(() => stores.checkpoints.nextOffset === '90', 'the checkpoint after the rejoin');
    expect(stored(stores.windows)).toEqual(truth(input));
    expect(stores.checkpoints.outcomes()).toEqual(allApplied(90));
  });

  it('is fenced once another server claims the partition, and the new owner completes the windows exactly', async () => {
    const log: Call[] = [];
    const otherLog: Call[] = [];
    const clock = new ManualClock(T0);
    const stores = newStores(log);
    const first = server(clock, stores, log);
    const input = events(90);

    await first.service.processBatch(batch(input, 0, 30));
    clock.advance(6000);
    await first.service.processBatch(batch(input, 30, 60));
    await until(() => stores.checkpoints.nextOffset === '60', 'the first checkpoint');

    // A second server takes the partition over (its claim bumps the epoch) and
    // re-reads from the checkpoint.
    const second = server(clock, stores, otherLog);
    await second.service.processBatch(batch(input, 60, 90));

    // The first server, not knowing, reads on: its checkpoint is refused.
    const committedBefore = log.filter((c) => c.kind === 'commit').length;
    clock.advance(6000);
    await first.service.processBatch(batch(input, 60, 90));
    await until(() => first.service.status().state === 'paused', 'the fenced pause');
    expect(await first.metrics.registry.getSingleMetricAsString('reddit_flushes_total')).toMatch(
      /outcome="fenced"\} 1/,
    );
    expect(log.filter((c) => c.kind === 'commit')).toHaveLength(committedBefore);
    expect(stores.checkpoints.nextOffset).toBe('60');

    // The new owner checkpoints, and the stored windows equal the truth.
    await second.service.processBatch(batch(input, 89, 90));
    await until(() => stores.checkpoints.nextOffset === '90', "the new owner's checkpoint");
    expect(otherLog.some((c) => c.kind === 'commit' && c.offset === '90')).toBe(true);
    expect(stored(stores.windows)).toEqual(truth(input));
    expect(stores.checkpoints.outcomes()).toEqual(allApplied(90));
  });

  it("keeps the new owner's rows when a server that lost the partition without noticing resumes later", async () => {
    const log: Call[] = [];
    const clock = new ManualClock(T0);
    const stores = newStores(log);
    const zombie = server(clock, stores, log);
    const input = events(90);
    await zombie.service.processBatch(batch(input, 0, 30));
    clock.advance(6000);
    await zombie.service.processBatch(batch(input, 30, 60));
    await until(() => stores.checkpoints.nextOffset === '60', 'the first checkpoint');
    // It takes more, then stops (SIGSTOP) before its next flush is due.
    await zombie.service.processBatch(batch(input, 60, 75));

    // Past the session timeout another server owns the partition, reads on from the checkpoint and flushes.
    clock.advance(30_000);
    const owner = server(clock, stores, []);
    await owner.service.processBatch(batch(input, 60, 90));
    clock.advance(6_000);
    await owner.service.processBatch(batch(input, 89, 90));
    await until(() => stores.checkpoints.nextOffset === '90', "the new owner's checkpoint");
    expect(stored(stores.windows)).toEqual(truth(input));

    // Resumed (SIGCONT) a minute later, its clock far ahead of the new owner's
    // flushes, it writes what it held: no row goes back to its older counts.
    clock.advance(60_000);
    await zombie.service.processBatch(batch(input, 75, 76));
    await until(() => zombie.service.status().state === 'paused', 'the fenced pause');
    expect(stored(stores.windows)).toEqual(truth(input));
  });

  it('rebuilds from the checkpoint on a rebalance, so re-delivered offsets are not counted twice', async () => {
    const log: Call[] = [];
    const clock = new ManualClock(T0);
    const stores = newStores(log);
    const { service, control } = server(clock, stores, log);
    const input = events(90);

    await service.processBatch(batch(input, 0, 45));
    clock.advance(6000);
    await service.processBatch(batch(input, 45, 60));
    await until(() => stores.checkpoints.nextOffset === '60', 'the checkpoint');
    // Taken into memory, not yet checkpointed: lost on the rebalance, and re-read.
    await service.processBatch(batch(input, 60, 75));

    control.rebalancing();
    control.assigned(new Map([[TOPIC, [PARTITION]]]));
    // Kafka re-delivers from the committed offset (60): 60..74 again, then the rest.
    await service.processBatch(batch(input, 60, 90));
    clock.advance(6000);
    await service.processBatch(batch(input, 89, 90));
    await until(() => stores.checkpoints.nextOffset === '90', 'the checkpoint after the rebalance');
    expect(stored(stores.windows)).toEqual(truth(input));
    expect(stores.checkpoints.outcomes()).toEqual(allApplied(90));
    expect(stores.checkpoints.epoch).toBe(2);
  });

  it("tallies each stream's late, too-late, duplicate and dead-lettered events in the checkpoint", async () => {
    const log: Call[] = [];
    const clock = new ManualClock(T0);
    const stores = newStores(log);
    const { service } = server(clock, stores, log);
    // 200 events, 500 ms apart: the watermark ends 90 s past T0, so the first minute is final.
    const input = events(200);
    const first = input[0]!;
    const renamed = (id: string): Pick<RedditEvent, 'id' | 'fullname'> => ({
      id,
      fullname: `${first.fullname.slice(0, 3)}${id}`,
    });
    const extra: RedditEvent[] = [
      // Within the allowed lateness (1 h) of a final window: applied, the window emitted again.
      { ...first, ...renamed('zzlate1'), createdUtc: T0 / 1000 + 1 },
      // Two hours behind: beyond the lateness of every window it belongs to.
      { ...first, ...renamed('zzlate2'), createdUtc: T0 / 1000 - 7200 },
      // A redelivery of an event already counted.
      input[5]!,
    ];
    await service.processBatch(batch([...input, ...extra], 0, 203));
    await service.processBatch({
      topic: TOPIC,
      partition: PARTITION,
      messages: [
        {
          offset: '203',
          key: 'rust',
          value: Buffer.from(JSON.stringify({ streamId: 'lifecycle-test', kind: 'nonsense' })),
          timestampMs: T0,
          headers: {},
        },
      ],
    });
    clock.advance(6000);
    await service.processBatch(batch(input, 199, 200));
    await until(() => stores.checkpoints.nextOffset === '204', 'the checkpoint');
    expect(stores.checkpoints.outcomes()).toEqual({
      applied: 201,
      lateApplied: 1,
      tooLate: 1,
      duplicates: 1,
      deadLettered: 1,
    });
    expect(service.status().tooLate).toEqual([{ streamId: 'lifecycle-test', events: 1 }]);
  });
});
