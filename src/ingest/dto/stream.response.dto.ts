import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { type StreamSnapshot } from '../stream-runner';

export class StreamCountersDto {
  @ApiProperty({ example: 120 }) readonly submissions!: number;
  @ApiProperty({ example: 480 }) readonly comments!: number;
  @ApiProperty({ example: 600 }) readonly total!: number;
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

export class StreamResponseDto {
  @ApiProperty({ example: 'synthetic-3f9a1c0b7d2e' }) readonly id!: string;
  @ApiProperty({ enum: ['synthetic', 'reddit', 'replay'], example: 'synthetic' })
  readonly source!: string;
  @ApiProperty({ enum: ['running', 'completed', 'stopped'], example: 'running' })
  readonly state!: string;
  @ApiProperty({ example: ['askreddit', 'worldnews'], type: [String] })
  readonly subreddits!: string[];
  @ApiProperty({ example: ['submissions', 'comments'], type: [String] }) readonly kinds!: string[];
  @ApiProperty({ example: 20 }) readonly ratePerSecond!: number;
  @ApiPropertyOptional({ example: 10000, nullable: true, type: Number }) readonly maxEvents!:
    number | null;
  @ApiPropertyOptional({ type: SyntheticSettingsDto }) readonly synthetic?: SyntheticSettingsDto;
  @ApiProperty({ type: StreamCountersDto }) readonly produced!: StreamCountersDto;
  @ApiProperty({ example: '2025-01-01T00:00:00.000Z' }) readonly startedAt!: string;
  @ApiPropertyOptional({ example: null, nullable: true, type: String }) readonly stoppedAt!:
    string | null;
  @ApiPropertyOptional({ example: '2025-01-01T00:00:05.000Z', nullable: true, type: String })
  readonly lastBatchAt!: string | null;
  @ApiPropertyOptional({ example: null, nullable: true, type: String }) readonly lastError!:
    string | null;

  static from(snapshot: StreamSnapshot): StreamResponseDto {
    const { definition, counters } = snapshot;
    const iso = (ms: number | null): string | null =>
      ms === null ? null : new Date(ms).toISOString();
    const synthetic = definition.synthetic;
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
              startTime: new Date(synthetic.startTimeMs ?? snapshot.startedAtMs).toISOString(),
              eventIntervalMs:
                synthetic.eventIntervalMs ?? Math.round(1000 / definition.ratePerSecond),
            },
          }
        : {}),
      produced: {
        submissions: counters.submissions,
        comments: counters.comments,
        total: counters.submissions + counters.comments,
        batches: counters.batches,
        failedAttempts: counters.failedAttempts,
      },
      startedAt: new Date(snapshot.startedAtMs).toISOString(),
      stoppedAt: iso(snapshot.stoppedAtMs),
      lastBatchAt: iso(snapshot.lastBatchAtMs),
      lastError: snapshot.lastError,
    };
  }
}
