import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { AppError } from '@app/common/app-error';
import { Clock } from '@app/common/clock';
import { MetricsService } from '@app/metrics/metrics.service';
import { type EventKind, type RedditEvent, subredditKey } from './domain/reddit-event';
import { deriveStreamId, type StreamDefinition } from './domain/stream-definition';
import { EventSink } from './event-sink';
import { SyntheticSource } from './sources/synthetic/synthetic.source';
import { type StreamSnapshot, StreamRunner } from './stream-runner';

export interface StartStreamCommand {
  readonly id?: string;
  readonly source: 'synthetic';
  readonly subreddits: readonly string[];
  readonly kinds?: readonly ('submissions' | 'comments')[];
  readonly ratePerSecond?: number;
  readonly maxEvents?: number;
  readonly seed?: number;
  readonly startTime?: string;
  readonly eventIntervalMs?: number;
}

const DEFAULT_RATE_PER_SECOND = 10;

/** Starts, lists and stops ingest streams. Serves HTTP and anything else that controls ingest. */
@Injectable()
export class StreamsService implements OnApplicationShutdown {
  private readonly logger = new Logger(StreamsService.name);
  private readonly streams = new Map<string, StreamRunner>();

  constructor(
    private readonly sink: EventSink,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  start(command: StartStreamCommand): StreamSnapshot {
    const kinds: EventKind[] = (command.kinds ?? ['submissions', 'comments']).map((kind) =>
      kind === 'submissions' ? 'submission' : 'comment',
    );
    const partial: Omit<StreamDefinition, 'id'> = {
      source: command.source,
      subreddits: command.subreddits.map(subredditKey),
      kinds,
      ratePerSecond: command.ratePerSecond ?? DEFAULT_RATE_PER_SECOND,
      maxEvents: command.maxEvents ?? null,
      synthetic: {
        seed: command.seed ?? 1,
        startTimeMs: command.startTime === undefined ? null : Date.parse(command.startTime),
        eventIntervalMs: command.eventIntervalMs ?? null,
      },
    };
    const definition: StreamDefinition = { id: command.id ?? deriveStreamId(partial), ...partial };

    const existing = this.streams.get(definition.id);
    if (existing?.snapshot().state === 'running') {
      throw new AppError('CONFLICT', `stream ${definition.id} is already running`, {
        streamId: definition.id,
      });
    }

    const synthetic = definition.synthetic ?? { seed: 1, startTimeMs: null, eventIntervalMs: null };
    const source = new SyntheticSource(
      {
        seed: synthetic.seed,
        subreddits: definition.subreddits,
        kinds: definition.kinds,
        startTimeMs: synthetic.startTimeMs ?? this.clock.now(),
        eventIntervalMs: synthetic.eventIntervalMs ?? 1000 / definition.ratePerSecond,
        streamId: definition.id,
      },
      definition.maxEvents,
      this.clock,
    );
    const runner = new StreamRunner(
      definition,
      source,
      this.sink,
      this.clock,
      this.config.kafka.producerBatchSize,
      (events) => this.recordProduced(definition.source, events),
    );
    this.streams.set(definition.id, runner);
    runner.start();
    this.refreshActiveGauge();
    this.logger.log(
      `started ${definition.source} stream ${definition.id} for ${definition.subreddits.join('+')} at ${definition.ratePerSecond}/s`,
    );
    return runner.snapshot();
  }

  list(): StreamSnapshot[] {
    return [...this.streams.values()].map((runner) => runner.snapshot());
  }

  get(id: string): StreamSnapshot {
    return this.runner(id).snapshot();
  }

  async stop(id: string): Promise<StreamSnapshot> {
    const runner = this.runner(id);
    await runner.stop();
    this.refreshActiveGauge();
    this.logger.log(`stopped stream ${id}`);
    return runner.snapshot();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.streams.values()].map((runner) => runner.stop()));
  }

  private runner(id: string): StreamRunner {
    const runner = this.streams.get(id);
    if (!runner) throw new AppError('NOT_FOUND', `no stream with id ${id}`, { streamId: id });
    return runner;
  }

  private recordProduced(source: string, events: readonly RedditEvent[]): void {
    let submissions = 0;
    for (const event of events) if (event.kind === 'submission') submissions++;
    this.metrics.recordProduced(source, 'submission', submissions);
    this.metrics.recordProduced(source, 'comment', events.length - submissions);
    this.refreshActiveGauge();
  }

  private refreshActiveGauge(): void {
    const running = this.list().filter((stream) => stream.state === 'running');
    this.metrics.activeStreams.reset();
    for (const stream of running)
      this.metrics.activeStreams.inc({ source: stream.definition.source });
  }
}
