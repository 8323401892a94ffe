import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AppError } from '@app/common/app-error';
import { Clock } from '@app/common/clock';
import { AppConfig } from '@app/config';
import { MetricsService } from '@app/metrics/metrics.service';
import { StreamStateStore } from '@app/storage/ports';
import { type EventKind, type RedditEvent, subredditKey } from './domain/reddit-event';
import {
  deriveStreamId,
  type ReplaySpeed,
  STREAM_STATES,
  type StreamDefinition,
  type StreamState,
} from './domain/stream-definition';
import { EventSink } from './event-sink';
import { type IngestReject } from './sources/stream-source';
import { StreamSourceFactory } from './stream-sources';
import {
  type StreamCounters,
  type StreamSnapshot,
  StreamRunner,
  ZERO_COUNTERS,
} from './stream-runner';

export interface StartStreamCommand {
  readonly id?: string;
  readonly source: 'synthetic' | 'reddit' | 'replay';
  readonly subreddits?: readonly string[];
  readonly kinds?: readonly ('submissions' | 'comments')[];
  readonly ratePerSecond?: number;
  readonly maxEvents?: number;
  readonly synthetic?: {
    readonly seed?: number;
    readonly startTime?: string;
    readonly eventIntervalMs?: number;
  };
  readonly replay?: {
    readonly file: string;
    readonly speed?: string;
    readonly from?: string;
    readonly to?: string;
    readonly startLine?: number;
  };
}

const DEFAULT_RATE_PER_SECOND = 10;

function invalid(field: string, message: string): AppError {
  return new AppError('INVALID_INPUT', message, { field });
}

function parseSpeed(speed: string | undefined): ReplaySpeed {
  if (speed === undefined || speed === 'max') return 'max';
  if (speed === 'realtime') return 'realtime';
  const factor = Number(speed.slice(0, -1));
  if (!Number.isFinite(factor) || factor <= 0) {
    throw invalid('replay.speed', 'replay.speed factor must be greater than 0');
  }
  return factor;
}

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

  constructor(
    private readonly sink: EventSink,
    private readonly sources: StreamSourceFactory,
    private readonly store: StreamStateStore,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

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
    const partial = this.definitionFrom(command);
    const id = command.id ?? deriveStreamId(partial);
    const existing = this.streams.get(id)?.snapshot().state;
    if (existing === 'running' || existing === 'paused' || this.starting.has(id)) {
      throw new AppError('CONFLICT', `stream ${id} is already ${existing ?? 'starting'}`, {
        streamId: id,
      });
    }
    this.starting.add(id);
    try {
      const definition = this.resolve({ id, ...partial });
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

  private definitionFrom(command: StartStreamCommand): Omit<StreamDefinition, 'id'> {
    const kinds: EventKind[] = (command.kinds ?? ['submissions', 'comments']).map((kind) =>
      kind === 'submissions' ? 'submission' : 'comment',
    );
    if (kinds.length === 0) throw invalid('kinds', 'kinds must name at least one kind');
    const subreddits = (command.subreddits ?? []).map(subredditKey);
    if (command.source !== 'replay' && subreddits.length === 0) {
      throw invalid(
        'subreddits',
        `subreddits must name at least one subreddit for a ${command.source} stream`,
      );
    }
    if (command.source !== 'synthetic' && command.ratePerSecond !== undefined) {
      throw invalid('ratePerSecond', 'ratePerSecond applies to synthetic streams only');
    }
    if (command.source !== 'synthetic' && command.synthetic !== undefined) {
      throw invalid('synthetic', 'synthetic options apply to synthetic streams only');
    }
    if (command.source !== 'replay' && command.replay !== undefined) {
      throw invalid('replay', 'replay options apply to replay streams only');
    }
    const base = {
      source: command.source,
      subreddits,
      kinds,
      maxEvents: command.maxEvents ?? null,
    };
    switch (command.source) {
      case 'synthetic': {
        const options = command.synthetic ?? {};
        return {
          ...base,
          ratePerSecond: command.ratePerSecond ?? DEFAULT_RATE_PER_SECOND,
          synthetic: {
            seed: options.seed ?? 1,
            startTimeMs: options.startTime === undefined ? null : Date.parse(options.startTime),
            eventIntervalMs: options.eventIntervalMs ?? null,
          },
        };
      }
      case 'reddit':
        return { ...base, ratePerSecond: null };
      case 'replay': {
        const replay = command.replay;
        if (!replay)
          throw invalid(
            'replay',
            'replay options (at least replay.file) are required for a replay stream',
          );
        const fromUtc =
          replay.from === undefined ? null : Math.floor(Date.parse(replay.from) / 1000);
        const toUtc = replay.to === undefined ? null : Math.floor(Date.parse(replay.to) / 1000);
        if (fromUtc !== null && toUtc !== null && fromUtc >= toUtc) {
          throw invalid('replay.from', 'replay.from must be before replay.to');
        }
        return {
          ...base,
          ratePerSecond: null,
          replay: {
            file: replay.file,
            speed: parseSpeed(replay.speed),
            fromUtc,
            toUtc,
            startLine: replay.startLine ?? null,
          },
        };
      }
    }
  }

  /** Fixes the defaults that depend on the start moment, so a restart replays the same stream. */
  private resolve(definition: StreamDefinition): StreamDefinition {
    if (!definition.synthetic) return definition;
    const rate = definition.ratePerSecond ?? DEFAULT_RATE_PER_SECOND;
    return {
      ...definition,
      synthetic: {
        ...definition.synthetic,
        startTimeMs: definition.synthetic.startTimeMs ?? this.clock.now(),
        eventIntervalMs: definition.synthetic.eventIntervalMs ?? 1000 / rate,
      },
    };
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

  private refreshActiveGauge(): void {
    this.metrics.activeStreams.reset();
    for (const stream of this.list()) {
      if (stream.state === 'running')
        this.metrics.activeStreams.inc({ source: stream.definition.source });
    }
  }
}
