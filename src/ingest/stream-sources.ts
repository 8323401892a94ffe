import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { AppError } from '@app/common/app-error';
import { Clock } from '@app/common/clock';
import { type StreamDefinition } from './domain/stream-definition';
import { createReplaySource, inspectDump, resolveDumpPath, startLineAfter } from './sources/replay';
import {
  createRedditSource,
  missingRedditSettings,
  RedditApiClient,
  toRedditClientConfig,
  validateSubreddits,
} from './sources/reddit';
import { type StreamSource } from './sources/stream-source';
import { SyntheticSource } from './sources/synthetic/synthetic.source';

/**
 * Builds the source behind a stream definition, and checks before a stream
 * starts that it can run at all (credentials, subreddits, files), so problems
 * surface as a clear 4xx instead of a stream that fails later.
 */
@Injectable()
export class StreamSourceFactory {
  private redditClient: RedditApiClient | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /**
   * One client per process: every Reddit stream shares its OAuth token and its
   * rate-limit budget (Reddit counts requests per OAuth client).
   */
  private reddit(): RedditApiClient {
    const missing = missingRedditSettings(this.config.reddit);
    if (missing.length > 0) {
      throw new AppError(
        'UNPROCESSABLE',
        `Reddit streams need credentials and a user agent; fix: ${missing.join(', ')}`,
        { missing },
      );
    }
    this.redditClient ??= new RedditApiClient({
      config: toRedditClientConfig(this.config.reddit),
      clock: this.clock,
      logger: new Logger('RedditApiClient'),
    });
    return this.redditClient;
  }

  async validate(definition: StreamDefinition): Promise<void> {
    switch (definition.source) {
      case 'synthetic':
        return;
      case 'replay': {
        const replay = this.replayOf(definition);
        await asRequestField('replay.file', async () =>
          inspectDump(await resolveDumpPath(this.config.ingest.replayDir, replay.file)),
        );
        return;
      }
      case 'reddit':
        await validateSubreddits(this.reddit(), definition.subreddits);
        return;
    }
  }

  /** A stand-in for a completed or stopped stream restored at boot: it touches nothing outside. */
  finished(): StreamSource {
    return {
      selfPaced: true,
      exhausted: true,
      pull: () => Promise.resolve({ events: [], rejects: [] }),
      checkpoint: () => null,
      status: () => ({}),
      close: () => Promise.resolve(),
    };
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
          path: await asRequestField('replay.file', () =>
            resolveDumpPath(this.config.ingest.replayDir, replay.file),
          ),
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
        return Promise.resolve(
          createRedditSource({
            config: toRedditClientConfig(this.config.reddit),
            client: this.reddit(),
            streamId: definition.id,
            subreddits: definition.subreddits,
            kinds: definition.kinds,
            checkpoint: checkpoint ?? undefined,
            clock: this.clock,
          }),
        );
    }
  }

  private replayOf(definition: StreamDefinition): NonNullable<StreamDefinition['replay']> {
    if (!definition.replay)
      throw new Error(`replay stream ${definition.id} has no replay settings`);
    return definition.replay;
  }
}

/**
 * The dump helpers name their argument `path`; the client sent `replay.file`,
 * so errors about it name the request's field.
 */
async function asRequestField<T>(field: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError && error.details?.field === 'path') {
      throw new AppError(error.code, error.message, { ...error.details, field });
    }
    throw error;
  }
}
