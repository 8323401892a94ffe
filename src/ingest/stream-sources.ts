import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { AppError } from '@app/common/app-error';
import { Clock } from '@app/common/clock';
import { type StreamDefinition } from './domain/stream-definition';
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
    readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async validate(definition: StreamDefinition): Promise<void> {
    switch (definition.source) {
      case 'synthetic':
        return;
      case 'reddit':
      case 'replay':
        await Promise.resolve();
        throw new AppError('UNPROCESSABLE', `the ${definition.source} source is not available yet`);
    }
  }

  create(definition: StreamDefinition, checkpoint: unknown): StreamSource {
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
      case 'reddit':
      case 'replay':
        throw new AppError('UNPROCESSABLE', `the ${definition.source} source is not available yet`);
    }
  }
}
