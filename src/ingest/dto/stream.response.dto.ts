import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { type StreamOutcomes } from '@app/events/stream-outcomes';
import { type StreamSnapshot } from '../stream-runner';

export class StreamCountersDto {
  @ApiProperty({ example: 120 }) readonly submissions!: number;
  @ApiProperty({ example: 480 }) readonly comments!: number;
  @ApiProperty({ example: 600 }) readonly total!: number;
  @ApiProperty({
    example: 2,
    description: 'Items that could not be normalised (sent to the dead-letter topic).',
  })
  readonly rejected!: number;
  @ApiProperty({ example: 12, description: 'Batches produced to Kafka.' })
  readonly batches!: number;
  @ApiProperty({ example: 0, description: 'Publish attempts that failed and were retried.' })
  readonly failedAttempts!: number;
}

export class SyntheticSettingsDto {
  @ApiProperty({ example: 42 }) readonly seed!: number;
  @ApiProperty({ example: '2025-01-01T00:00:00.000Z' }) readonly startTime!: string;
  @ApiProperty({ example: 50 }) readonly eventIntervalMs!: number;
}

export class ReplaySettingsDto {
  @ApiProperty({ example: 'RC_2024-01_askreddit.zst' }) readonly file!: string;
  @ApiProperty({ example: 'max' }) readonly speed!: string;
  @ApiPropertyOptional({ example: '2024-01-01T00:00:00.000Z', nullable: true, type: String })
  readonly from!: string | null;
  @ApiPropertyOptional({ example: null, nullable: true, type: String }) readonly to!: string | null;
  @ApiPropertyOptional({ example: 1, nullable: true, type: Number }) readonly startLine!:
    number | null;
}

export class RateLimitDto {
  @ApiPropertyOptional({
    example: 587,
    nullable: true,
    type: Number,
    description: 'Requests left in the window (shared by all streams of the OAuth client).',
  })
  readonly remaining!: number | null;
  @ApiPropertyOptional({ example: '2025-01-01T00:10:00.000Z', nullable: true, type: String })
  readonly resetAt!: string | null;
}

export class AccessTokenDto {
  @ApiProperty({ example: 3, description: 'Access tokens fetched since the stream started here.' })
  readonly fetched!: number;
  @ApiPropertyOptional({ example: '2025-01-01T00:00:00.000Z', nullable: true, type: String })
  readonly lastFetchedAt!: string | null;
  @ApiPropertyOptional({ example: '2025-01-02T00:00:00.000Z', nullable: true, type: String })
  readonly expiresAt!: string | null;
}

export class StreamOutcomesDto {
  @ApiProperty({ example: 98, description: 'Counted in at least one window.' })
  readonly applied!: number;
  @ApiProperty({
    example: 3,
    description: 'Of applied: reached a window after it was final, which was emitted again.',
  })
  readonly lateApplied!: number;
  @ApiProperty({
    example: 0,
    description:
      'Beyond the allowed lateness of every window: not counted, sent to tooLateTo instead.',
  })
  readonly tooLate!: number;
  @ApiProperty({ example: 'reddit.late-events' }) readonly tooLateTo!: string;
  @ApiProperty({ example: 2, description: 'Already counted (a redelivery or a repeated item).' })
  readonly duplicates!: number;
  @ApiProperty({
    example: 0,
    description: 'Messages of this stream that were not valid events, sent to deadLetteredTo.',
  })
  readonly deadLettered!: number;
  @ApiProperty({ example: 'reddit.dead-letter' }) readonly deadLetteredTo!: string;
}

/** Where the consumer's totals come from, for a status response. */
export interface ConsumedContext {
  /** Null when the checkpoints could not be read. */
  readonly outcomes: StreamOutcomes | null;
  readonly lateEventsTopic: string;
  readonly deadLetterTopic: string;
}

export class StreamResponseDto {
  @ApiProperty({ example: 'reddit-3f9a1c0b7d2e' }) readonly id!: string;
  @ApiProperty({ enum: ['synthetic', 'reddit', 'replay'], example: 'reddit' })
  readonly source!: string;
  @ApiProperty({ enum: ['running', 'paused', 'completed', 'stopped'], example: 'running' })
  readonly state!: string;
  @ApiProperty({ example: ['askreddit', 'worldnews'], type: [String] })
  readonly subreddits!: string[];
  @ApiProperty({ example: ['submissions', 'comments'], type: [String] }) readonly kinds!: string[];
  @ApiPropertyOptional({ example: 20, nullable: true, type: Number }) readonly ratePerSecond!:
    number | null;
  @ApiPropertyOptional({ example: 10000, nullable: true, type: Number }) readonly maxEvents!:
    number | null;
  @ApiPropertyOptional({ type: SyntheticSettingsDto }) readonly synthetic?: SyntheticSettingsDto;
  @ApiPropertyOptional({ type: ReplaySettingsDto }) readonly replay?: ReplaySettingsDto;
  @ApiProperty({ type: StreamCountersDto }) readonly produced!: StreamCountersDto;
  @ApiProperty({ example: '2025-01-01T00:00:00.000Z' }) readonly startedAt!: string;
  @ApiPropertyOptional({ example: null, nullable: true, type: String }) readonly stoppedAt!:
    string | null;
  @ApiPropertyOptional({ example: '2025-01-01T00:00:05.000Z', nullable: true, type: String })
  readonly lastBatchAt!: string | null;
  @ApiPropertyOptional({ example: '2025-01-01T00:00:06.000Z', nullable: true, type: String })
  readonly lastPollAt!: string | null;
  @ApiPropertyOptional({
    example: 'HTTP 503 from GET /r/pics/new',
    nullable: true,
    type: String,
    description: 'The last error, kept after recovery: see lastErrorRecoveredAt.',
  })
  readonly lastError!: string | null;
  @ApiPropertyOptional({
    example: '2025-01-01T00:00:04.000Z',
    nullable: true,
    type: String,
    description: 'When the last error happened (null for one restored from before a restart).',
  })
  readonly lastErrorAt!: string | null;
  @ApiPropertyOptional({
    example: '2025-01-01T00:00:09.000Z',
    nullable: true,
    type: String,
    description: 'When work succeeded again after the last error; null while it persists.',
  })
  readonly lastErrorRecoveredAt!: string | null;
  @ApiPropertyOptional({
    type: AccessTokenDto,
    nullable: true,
    description: 'Reddit streams only.',
  })
  readonly token!: AccessTokenDto | null;
  @ApiPropertyOptional({ type: RateLimitDto, nullable: true })
  readonly rateLimit!: RateLimitDto | null;
  @ApiPropertyOptional({
    example: { line: 1234 },
    description: 'Source progress, e.g. the replay line.',
  })
  readonly progress!: Record<string, number | string>;

  static from(snapshot: StreamSnapshot, consumed?: ConsumedContext): StreamResponseDto {
    const { definition, counters, source } = snapshot;
    const iso = (ms: number | null | undefined): string | null =>
      ms === null || ms === undefined ? null : new Date(ms).toISOString();
    const isoUtc = (s: number | null): string | null => (s === null ? null : iso(s * 1000));
    const { synthetic, replay } = definition;
    return {
      id: definition.id,
      source: definition.source,
      state: snapshot.state,
      subreddits: [...definition.subreddits],
      kinds: definition.kinds.map((kind) => (kind === 'submission' ? 'submissions' : 'comments')),
      ratePerSecond: definition.ratePerSecond,
      maxEvents: definition.maxEvents,
      ...(synthetic
        ? {
            synthetic: {
              seed: synthetic.seed,
              startTime: iso(synthetic.startTimeMs ?? snapshot.startedAtMs) ?? '',
              eventIntervalMs: synthetic.eventIntervalMs ?? 0,
            },
          }
        : {}),
      ...(replay
        ? {
            replay: {
              file: replay.file,
              speed: typeof replay.speed === 'number' ? `${replay.speed}x` : replay.speed,
              from: isoUtc(replay.fromUtc),
              to: isoUtc(replay.toUtc),
              startLine: replay.startLine,
            },
          }
        : {}),
      produced: {
        submissions: counters.submissions,
        comments: counters.comments,
        total: counters.submissions + counters.comments,
        rejected: counters.rejected,
        batches: counters.batches,
        failedAttempts: counters.failedAttempts,
      },
      startedAt: iso(snapshot.startedAtMs) ?? '',
      stoppedAt: iso(snapshot.stoppedAtMs),
      lastBatchAt: iso(snapshot.lastBatchAtMs),
      lastPollAt: iso(source.lastPollAtMs),
      lastError: snapshot.lastError,
      ...(consumed
        ? {
            consumed: consumed.outcomes
              ? {
                  ...consumed.outcomes,
                  tooLateTo: consumed.lateEventsTopic,
                  deadLetteredTo: consumed.deadLetterTopic,
                }
              : null,
          }
        : {}),
      lastErrorAt: iso(snapshot.lastErrorAtMs),
      lastErrorRecoveredAt: iso(snapshot.lastErrorRecoveredAtMs),
      token: source.token
        ? {
            fetched: source.token.fetched,
            lastFetchedAt: iso(source.token.lastFetchedAtMs),
            expiresAt: iso(source.token.expiresAtMs),
          }
        : null,
      rateLimit:
        source.rateLimitRemaining === undefined && source.rateLimitResetAtMs === undefined
          ? null
          : {
              remaining: source.rateLimitRemaining ?? null,
              resetAt: iso(source.rateLimitResetAtMs),
            },
      progress: { ...(source.progress ?? {}) },
    };
  }
}
