import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AppError } from '@app/common/app-error';
import { Clock } from '@app/common/clock';
import { AppConfig } from '@app/config';
import { ingestDeadLetter } from '@app/events/dead-letter';
import { type StreamOutcomes } from '@app/events/stream-outcomes';
import { DeadLetterSink, EventSink } from '@app/kafka/ports';
import { MetricsService } from '@app/metrics/metrics.service';
import { IngestStreamStore } from '@app/storage/ports';
import { type RedditEvent } from '@app/events/reddit-event';
import {
  definitionFrom,
  resolveDefinition,
  type StartStreamCommand,
} from './domain/stream-command';
import {
  deriveStreamId,
  STREAM_STATES,
  type StreamDefinition,
  type StreamState,
} from './domain/stream-definition';
import { type IngestReject } from './sources/stream-source';
import { StreamOutcomesReader } from './stream-outcomes.reader';
import { StreamSourceFactory } from './stream-sources';
import {
  type RunnerSink,
  type StreamCounters,
  type StreamSnapshot,
  StreamRunner,
  ZERO_COUNTERS,
} from './stream-runner';

/**
 * Starts, lists, pauses, resumes and stops ingest streams, and brings running
 * streams back after a restart from their persisted checkpoints. Serves HTTP
 * and anything else that controls ingest.
 */
@Injectable()
export class StreamsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StreamsService.name);
  private readonly streams = new Map<string, StreamRunner>();
  private readonly starting = new Set<string>();

  private readonly sink: RunnerSink;

  constructor(
    events: EventSink,
    deadLetters: DeadLetterSink,
    private readonly sources: StreamSourceFactory,
    private readonly store: IngestStreamStore,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly outcomes: StreamOutcomesReader,
  ) {
    this.sink = {
      publish: (batch) => events.publish(batch),
      endOfStream: (definition) => this.endOfStream(events, definition),
      publishedSince: (streamId, sinceMs) => events.publishedSince(streamId, sinceMs),
      deadLetter: (streamId, rejects) => {
        const failedAtMs = this.clock.now();
        return deadLetters.send(rejects.map((r) => ingestDeadLetter(streamId, r, failedAtMs)));
      },
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    const records = await this.store.loadAll();
    for (const record of records) {
      const state = record.state as StreamState;
      if (!STREAM_STATES.includes(state)) continue;
      try {
        const definition = JSON.parse(record.definition) as StreamDefinition;
        const counters = {
          ...ZERO_COUNTERS,
          ...(JSON.parse(record.counters) as Partial<StreamCounters>),
        };
        const checkpoint: unknown = JSON.parse(record.checkpoint);
        const runner = await this.runner(definition, checkpoint, {
          state,
          counters,
          startedAtMs: record.startedAtMs,
          stoppedAtMs: record.stoppedAtMs,
          lastBatchAtMs: record.lastBatchAtMs,
          lastError: record.lastError,
          savedAtMs: record.updatedAtMs,
        });
        this.streams.set(definition.id, runner);
        if (state === 'running') {
          runner.start();
          this.logger.log(
            `resumed ${definition.source} stream ${definition.id} from its checkpoint`,
          );
        }
      } catch (error) {
        this.logger.error(
          `could not restore stream ${record.id}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    this.refreshActiveGauge();
  }

  async start(command: StartStreamCommand): Promise<StreamSnapshot> {
    const partial = definitionFrom(command);
    const id = command.id ?? deriveStreamId(partial);
    const existing = this.streams.get(id)?.snapshot().state;
    if (existing === 'running' || existing === 'paused' || this.starting.has(id)) {
      throw new AppError('CONFLICT', `stream ${id} is already ${existing ?? 'starting'}`, {
        streamId: id,
      });
    }
    this.starting.add(id);
    try {
      const definition = resolveDefinition({ id, ...partial }, this.clock.now());
      await this.sources.validate(definition);
      await this.streams.get(id)?.stop();
      const runner = await this.runner(definition, undefined);
      this.streams.set(id, runner);
      await runner.persistNow();
      runner.start();
      this.refreshActiveGauge();
      this.logger.log(
        `started ${definition.source} stream ${id} for ${definition.subreddits.join('+') || 'all subreddits'}`,
      );
      return runner.snapshot();
    } finally {
      this.starting.delete(id);
    }
  }

  /**
   * What the consumers did with each stream's events (see StreamOutcomesReader);
   * null when the checkpoint store cannot be read, so a status read still answers.
   */
  async consumed(): Promise<Map<string, StreamOutcomes> | null> {
    try {
      return await this.outcomes.read();
    } catch (error) {
      this.logger.warn(
        `stream outcomes unavailable: ${error instanceof Error ? error.message : String(error)}`,
      );
      return null;
    }
  }

  list(): StreamSnapshot[] {
    return [...this.streams.values()].map((runner) => runner.snapshot());
  }

  get(id: string): StreamSnapshot {
    return this.find(id).snapshot();
  }

  async pause(id: string): Promise<StreamSnapshot> {
    const runner = this.find(id);
    const state = runner.snapshot().state;
    if (state !== 'running' && state !== 'paused') {
      throw new AppError(
        'CONFLICT',
        `stream ${id} is ${state}; only a running stream can be paused`,
      );
    }
    await runner.pause();
    this.refreshActiveGauge();
    return runner.snapshot();
  }

  async resume(id: string): Promise<StreamSnapshot> {
    const runner = this.find(id);
    const state = runner.snapshot().state;
    if (state !== 'running' && state !== 'paused') {
      throw new AppError('CONFLICT', `stream ${id} is ${state}; start it again instead`);
    }
    await runner.resume();
    this.refreshActiveGauge();
    return runner.snapshot();
  }

  async stop(id: string): Promise<StreamSnapshot> {
    const runner = this.find(id);
    await runner.stop();
    this.refreshActiveGauge();
    this.logger.log(`stopped stream ${id}`);
    return runner.snapshot();
  }

  /** On shutdown streams keep their persisted state, so the next boot resumes them. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.streams.values()].map((runner) => runner.detach()));
  }

  private async runner(
    definition: StreamDefinition,
    checkpoint: unknown,
    restored?: ConstructorParameters<typeof StreamRunner>[6],
  ): Promise<StreamRunner> {
    const finished = restored?.state === 'completed' || restored?.state === 'stopped';
    const source = finished
      ? this.sources.finished()
      : await this.sources.create(definition, checkpoint);
    return new StreamRunner(
      definition,
      source,
      this.sink,
      this.clock,
      this.config.kafka.producerBatchSize,
      {
        onPublished: (events, rejects) => this.recordPublished(definition.source, events, rejects),
        persist: (snapshot, position) => this.persist(snapshot, position),
      },
      restored,
    );
  }

  private async persist(snapshot: StreamSnapshot, checkpoint: unknown): Promise<void> {
    await this.store.save({
      id: snapshot.definition.id,
      definition: JSON.stringify(snapshot.definition),
      state: snapshot.state,
      checkpoint: JSON.stringify(checkpoint ?? null),
      counters: JSON.stringify(snapshot.counters),
      startedAtMs: snapshot.startedAtMs,
      stoppedAtMs: snapshot.stoppedAtMs,
      lastBatchAtMs: snapshot.lastBatchAtMs,
      lastError: snapshot.lastError,
      updatedAtMs: this.clock.now(),
    });
  }

  private find(id: string): StreamRunner {
    const runner = this.streams.get(id);
    if (!runner) throw new AppError('NOT_FOUND', `no stream with id ${id}`, { streamId: id });
    return runner;
  }

  private recordPublished(
    source: string,
    events: readonly RedditEvent[],
    rejects: readonly IngestReject[],
  ): void {
    let submissions = 0;
    for (const event of events) if (event.kind === 'submission') submissions++;
    this.metrics.recordProduced(source, 'submission', submissions);
    this.metrics.recordProduced(source, 'comment', events.length - submissions);
    if (rejects.length > 0) this.metrics.ingestRejected.inc({ source }, rejects.length);
  }

  /**
   * A replay closes its own lane. The live lane is shared by every live
   * stream, so it is closed only when no other live stream here is running
   * or paused; with several servers, live data from another one reopens the
   * lane and its windows, so the counts stay right either way.
   */
  private async endOfStream(events: EventSink, definition: StreamDefinition): Promise<void> {
    if (definition.source === 'replay') return events.endOfBackfill(definition.id);
    const otherLive = this.list().some(
      (s) =>
        s.definition.id !== definition.id &&
        s.definition.source !== 'replay' &&
        (s.state === 'running' || s.state === 'paused'),
    );
    if (!otherLive) await events.endOfLive(definition.id);
  }

  private refreshActiveGauge(): void {
    this.metrics.activeStreams.reset();
    for (const stream of this.list()) {
      if (stream.state === 'running')
        this.metrics.activeStreams.inc({ source: stream.definition.source });
    }
  }
}
