import { ManualClock } from '@app/common/clock';
import { type RedditEvent } from '@app/events/reddit-event';
import { type StreamDefinition } from '@app/ingest/domain/stream-definition';
import { EventSink } from '@app/kafka/ports';
import { SyntheticSource } from '@app/ingest/sources/synthetic/synthetic.source';
import { type IngestReject } from '@app/ingest/sources/stream-source';
import { type StreamSnapshot, StreamRunner, ZERO_COUNTERS } from '@app/ingest/stream-runner';

/** An in-memory sink that can be told to fail its next calls. */
class RecordingSink extends EventSink {
  readonly batches: RedditEvent[][] = [];
  failNext = 0;

  /** While set, publish waits for it (a publish Kafka does not acknowledge). */
  hold: Promise<void> | null = null;

  async publish(events: readonly RedditEvent[]): Promise<void> {
    if (this.hold) await this.hold;
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(new Error('broker unavailable'));
    }
    this.batches.push([...events]);
    return Promise.resolve();
  }

  deadLetter(_streamId: string, _rejects: readonly IngestReject[]): Promise<void> {
    return Promise.resolve();
  }

  endOfBackfill(_streamId: string): Promise<void> {
    return Promise.resolve();
  }

  endOfLive(_streamId: string): Promise<void> {
    return Promise.resolve();
  }

  /** What publishedSince answers: every event published so far (a real topic read back from a moment). */
  publishedSince(_streamId: string, _sinceMs: number): Promise<ReadonlySet<string>> {
    this.readBacks++;
    return Promise.resolve(new Set(this.published.map((e) => e.fullname)));
  }
  readBacks = 0;

  /** The streams whose end was marked, in order (RunnerSink.endOfStream). */
  readonly ended: string[] = [];
  endOfStream(definition: StreamDefinition): Promise<void> {
    this.ended.push(definition.id);
    return Promise.resolve();
  }

  get published(): RedditEvent[] {
    return this.batches.flat();
  }
}

const T0 = Date.UTC(2025, 0, 1);

function definition(overrides: Partial<StreamDefinition> = {}): StreamDefinition {
  return {
    id: 'runner-test',
    source: 'synthetic',
    subreddits: ['askreddit', 'pics'],
    kinds: ['submission', 'comment'],
    ratePerSecond: 100,
    maxEvents: null,
    ...overrides,
  };
}

/** The source every test uses: seed 1 over askreddit and pics, 10 ms apart from T0. */
function syntheticSource(clock: ManualClock, maxEvents: number | null, checkpoint?: unknown) {
  return new SyntheticSource(
    {
      seed: 1,
      subreddits: ['askreddit', 'pics'],
      kinds: ['submission', 'comment'],
      startTimeMs: T0,
      eventIntervalMs: 10,
      streamId: 'runner-test',
    },
    maxEvents,
    clock,
    checkpoint,
  );
}

function runner(def: StreamDefinition, sink: RecordingSink, clock: ManualClock, batchSize = 30) {
  const source = syntheticSource(clock, def.maxEvents);
  const persisted: { snapshot: StreamSnapshot; checkpoint: unknown }[] = [];
  const stream = new StreamRunner(def, source, sink, clock, batchSize, {
    onPublished: () => undefined,
    persist: (snapshot, checkpoint) => {
      persisted.push({ snapshot, checkpoint });
      return Promise.resolve();
    },
  });
  return Object.assign(stream, { persisted });
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A 100-item stream in batches of 25, detached (a shutdown) once 40 items are out. */
async function firstForty(sink: RecordingSink, clock: ManualClock) {
  const first = runner(definition({ maxEvents: 100 }), sink, clock, 25);
  first.start();
  clock.advance(400);
  await until(() => sink.published.length === 40);
  await first.detach();
  return first;
}

describe('StreamRunner', () => {
  it('produces exactly rate x elapsed time, in batches no larger than the batch size', async () => {
    const clock = new ManualClock(T0);
    const sink = new RecordingSink();
    const stream = runner(definition(), sink, clock);
    stream.start();
    clock.advance(1000);
    await until(() => sink.published.length === 100);
    // Nothing more is due until the clock moves.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(sink.published).toHaveLength(100);
    expect(Math.max(...sink.batches.map((b) => b.length))).toBeLessThanOrEqual(30);

    clock.advance(500);
    await until(() => sink.published.length === 150);
    await stream.stop();
    const snapshot = stream.snapshot();
    expect(snapshot.state).toBe('stopped');
    expect(snapshot.counters.submissions + snapshot.counters.comments).toBe(150);
  });

  it('completes after maxEvents', async () => {
    const clock = new ManualClock(T0);
    const sink = new RecordingSink();
    const stream = runner(definition({ maxEvents: 42 }), sink, clock);
    stream.start();
    clock.advance(60_000);
    await until(() => stream.snapshot().state === 'completed');
    expect(sink.published).toHaveLength(42);
    expect(stream.snapshot().stoppedAtMs).toBe(T0 + 60_000);
  });

  it('retries a failed batch with the same events: nothing skipped, nothing repeated', async () => {
    const clock = new ManualClock(T0);
    const sink = new RecordingSink();
    sink.failNext = 2;
    const stream = runner(definition({ maxEvents: 60 }), sink, clock);
    stream.start();
    clock.advance(10_000);
    await until(() => stream.snapshot().state === 'completed');

    const snapshot = stream.snapshot();
    expect(snapshot.counters.failedAttempts).toBe(2);
    expect(snapshot.lastError).toBe('broker unavailable');
    const expected = syntheticSource(clock, 60);
    const want = (await expected.pull(60)).events.map((event) => event.fullname);
    expect(sink.published.map((event) => event.fullname)).toEqual(want);
  });

  it('stamps the last error with its time and marks it recovered once a batch goes out', async () => {
    const clock = new ManualClock(T0);
    const sink = new RecordingSink();
    sink.failNext = Number.MAX_SAFE_INTEGER;
    const stream = runner(definition({ maxEvents: 60 }), sink, clock);
    stream.start();
    clock.advance(1_000);
    await until(() => stream.snapshot().counters.failedAttempts >= 1);
    const failing = stream.snapshot();
    expect(failing.lastError).toBe('broker unavailable');
    expect(failing.lastErrorAtMs).toBe(T0 + 1_000);
    expect(failing.lastErrorRecoveredAtMs).toBeNull();

    sink.failNext = 0;
    clock.advance(10_000);
    await until(() => stream.snapshot().state === 'completed');
    const recovered = stream.snapshot();
    expect(recovered.lastError).toBe('broker unavailable');
    expect(recovered.lastErrorAtMs).toBe(T0 + 1_000);
    expect(recovered.lastErrorRecoveredAtMs).toBe(T0 + 11_000);
  });

  it('after a crash between a publish and the save of its position, skips what is on the topic: every item once', async () => {
    const clock = new ManualClock(T0);
    const sink = new RecordingSink();
    const first = await firstForty(sink, clock);
    // The crash: the last batch is on the topic, its position was never saved.
    const saved = first.persisted[first.persisted.length - 2];
    expect(saved?.checkpoint).toEqual({ position: 25 });

    const resume = () => {
      const source = syntheticSource(clock, 100, saved?.checkpoint);
      return new StreamRunner(
        definition({ maxEvents: 100 }),
        source,
        sink,
        clock,
        // Cut differently from the first run: the repeated items span batches.
        10,
        { onPublished: () => undefined, persist: () => Promise.resolve() },
        {
          state: 'running',
          counters: saved?.snapshot.counters ?? ZERO_COUNTERS,
          startedAtMs: T0,
          stoppedAtMs: null,
          lastBatchAtMs: null,
          savedAtMs: T0 + 400,
        },
      );
    };
    const second = resume();
    second.start();
    clock.advance(10_000);
    await until(() => second.snapshot().state === 'completed');
    const fullnames = sink.published.map((event) => event.fullname);
    const want = (await syntheticSource(clock, 100).pull(100)).events.map((e) => e.fullname);
    expect(fullnames).toEqual(want);
    // Read back once; the skipped items count as produced.
    expect(sink.readBacks).toBe(1);
    const counters = second.snapshot().counters;
    expect(counters.submissions + counters.comments).toBe(100);
  });

  it('says so in its status when a publish goes unacknowledged for 10 s, before the producer gives up', async () => {
    const clock = new ManualClock(T0);
    const sink = new RecordingSink();
    let release!: () => void;
    sink.hold = new Promise((resolve) => (release = resolve));
    const stream = runner(definition({ maxEvents: 30 }), sink, clock);
    stream.start();
    clock.advance(1_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    clock.advance(9_000);
    expect(stream.snapshot().lastError).toBeNull();
    clock.advance(1_000);
    const stalled = stream.snapshot();
    expect(stalled.lastError).toMatch(/not acknowledged for over 10 s/);
    expect(stalled.lastErrorAtMs).toBe(T0 + 11_000);
    expect(stalled.lastErrorRecoveredAtMs).toBeNull();
    expect(stalled.state).toBe('running');

    sink.hold = null;
    release();
    await until(() => stream.snapshot().state === 'completed');
    expect(stream.snapshot().lastErrorRecoveredAtMs).not.toBeNull();
    expect(sink.published).toHaveLength(30);
  });

  it('persists the checkpoint after each published batch, so a resumed source continues exactly', async () => {
    const clock = new ManualClock(T0);
    const sink = new RecordingSink();
    const first = await firstForty(sink, clock);
    const last = first.persisted[first.persisted.length - 1];
    expect(last?.checkpoint).toEqual({ position: 40 });
    // A shutdown is not a pause: the stream stays "running" so the next boot resumes it.
    expect(first.persisted.every((p) => p.snapshot.state === 'running')).toBe(true);
    expect(first.snapshot().state).toBe('running');

    // A new runner built from that checkpoint produces the remaining 60, no repeats.
    const source = syntheticSource(clock, 100, last?.checkpoint);
    const second = new StreamRunner(definition({ maxEvents: 100 }), source, sink, clock, 25, {
      onPublished: () => undefined,
      persist: () => Promise.resolve(),
    });
    second.start();
    clock.advance(10_000);
    await until(() => second.snapshot().state === 'completed');
    const fullnames = sink.published.map((event) => event.fullname);
    expect(fullnames).toHaveLength(100);
    expect(new Set(fullnames).size).toBe(100);
  });

  it('pauses without losing its place and resumes', async () => {
    const clock = new ManualClock(T0);
    const sink = new RecordingSink();
    const stream = runner(definition(), sink, clock);
    stream.start();
    clock.advance(300);
    await until(() => sink.published.length === 30);
    await stream.pause();
    expect(stream.snapshot().state).toBe('paused');
    clock.advance(5_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sink.published).toHaveLength(30);
    await stream.resume();
    // Pacing restarts at resume: nothing is owed for the paused time.
    clock.advance(100);
    await until(() => sink.published.length === 40);
    await stream.stop();
    const fullnames = sink.published.map((event) => event.fullname);
    expect(new Set(fullnames).size).toBe(fullnames.length);
  });

  it('stops producing once stopped', async () => {
    const clock = new ManualClock(T0);
    const sink = new RecordingSink();
    const stream = runner(definition(), sink, clock);
    stream.start();
    clock.advance(200);
    await until(() => sink.published.length === 20);
    await stream.stop();
    clock.advance(10_000);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(sink.published).toHaveLength(20);
    expect(stream.snapshot().state).toBe('stopped');
    // After its last event, once: the consumer can make its last windows final.
    expect(sink.ended).toEqual(['runner-test']);
    await stream.stop();
    expect(sink.ended).toEqual(['runner-test']);
  });
});
