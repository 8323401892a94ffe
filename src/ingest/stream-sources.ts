import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { AppError } from '@app/common/app-error';
import { Clock } from '@app/common/clock';
import { type StreamDefinition } from './domain/stream-definition';
import { createReplaySource, inspectDump, resolveDumpPath, startLineAfter } from './sources/replay';
import { type StreamSource } from './sources/stream-source';
import { SyntheticSource } from './sources/synthetic/synthetic.source';

/**
 * Builds the source behind a stream definition, and checks before a stream
 * starts that it can run at all (credentials, subreddits, files), so problems
 * surface as a clear 4xx instead of a stream that fails later.
 */
@Injectable()
export class StreamSourceFactory {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async validate(definition: StreamDefinition): Promise<void> {
    switch (definition.source) {
      case 'synthetic':
        return;
      case 'replay': {
        const replay = this.replayOf(definition);
        const path = await resolveDumpPath(this.config.ingest.replayDir, replay.file);
        await inspectDump(path);
        return;
      }
      case 'reddit':
        await Promise.resolve();
        throw new AppError('UNPROCESSABLE', 'the reddit source is not available yet');
    }
  }

  async create(definition: StreamDefinition, checkpoint: unknown): Promise<StreamSource> {
    switch (definition.source) {
      case 'synthetic': {
        const synthetic = definition.synthetic;
        if (!synthetic || synthetic.startTimeMs === null || synthetic.eventIntervalMs === null) {
          throw new Error(`synthetic stream ${definition.id} has no resolved settings`);
        }
        return new SyntheticSource(
          {
            seed: synthetic.seed,
            subreddits: definition.subreddits,
            kinds: definition.kinds,
            startTimeMs: synthetic.startTimeMs,
            eventIntervalMs: synthetic.eventIntervalMs,
            streamId: definition.id,
          },
          definition.maxEvents,
          this.clock,
          checkpoint,
        );
      }
      case 'replay': {
        const replay = this.replayOf(definition);
        return createReplaySource({
          path: await resolveDumpPath(this.config.ingest.replayDir, replay.file),
          streamId: definition.id,
          clock: this.clock,
          subreddits: definition.subreddits,
          kinds: definition.kinds,
          fromUtc: replay.fromUtc ?? undefined,
          toUtc: replay.toUtc ?? undefined,
          speed: replay.speed,
          startLine:
            checkpoint === undefined || checkpoint === null
              ? (replay.startLine ?? undefined)
              : startLineAfter(checkpoint),
        });
      }
      case 'reddit':
        await Promise.resolve();
        throw new AppError('UNPROCESSABLE', 'the reddit source is not available yet');
    }
  }

  private replayOf(definition: StreamDefinition): NonNullable<StreamDefinition['replay']> {
    if (!definition.replay)
      throw new Error(`replay stream ${definition.id} has no replay settings`);
    return definition.replay;
  }
}
