import { ApiProperty } from '@nestjs/swagger';
import { type WindowRecord } from '@app/storage/records';

export class WindowResponseDto {
  @ApiProperty({ example: '2025-01-01T00:00:00.000Z' }) readonly windowStart!: string;
  @ApiProperty({ example: '2025-01-01T00:01:00.000Z' }) readonly windowEnd!: string;
  @ApiProperty({ example: 12 }) readonly submissions!: number;
  @ApiProperty({ example: 48 }) readonly comments!: number;
  @ApiProperty({ example: 60 }) readonly events!: number;
  @ApiProperty({
    example: 0.134,
    nullable: true,
    type: Number,
    description: 'Mean sentiment in [-1, 1] of scored events.',
  })
  readonly sentimentMean!: number | null;
  @ApiProperty({ example: 57, description: 'Events that had text to score.' })
  readonly sentimentCount!: number;
  @ApiProperty({ example: 25 }) readonly positive!: number;
  @ApiProperty({ example: 10 }) readonly neutral!: number;
  @ApiProperty({ example: 22 }) readonly negative!: number;
  @ApiProperty({ example: 1830 }) readonly scoreSum!: number;
  @ApiProperty({ example: '2025-01-01T00:00:00.000Z' }) readonly firstEventAt!: string;
  @ApiProperty({ example: '2025-01-01T00:00:59.000Z' }) readonly lastEventAt!: string;
  @ApiProperty({ example: '2025-01-01T00:01:02.120Z' }) readonly updatedAt!: string;

  static from(record: WindowRecord): WindowResponseDto {
    return {
      windowStart: new Date(record.windowStartMs).toISOString(),
      windowEnd: new Date(record.windowEndMs).toISOString(),
      submissions: record.submissions,
      comments: record.comments,
      events: record.submissions + record.comments,
      sentimentMean: record.sentimentMean,
      sentimentCount: record.sentimentCount,
      positive: record.positive,
      neutral: record.neutral,
      negative: record.negative,
      scoreSum: record.scoreSum,
      firstEventAt: new Date(record.firstEventMs).toISOString(),
      lastEventAt: new Date(record.lastEventMs).toISOString(),
      updatedAt: new Date(record.updatedAtMs).toISOString(),
    };
  }
}

export class WindowsResponseDto {
  @ApiProperty({ example: 'askreddit' }) readonly subreddit!: string;
  @ApiProperty({ example: '1m' }) readonly window!: string;
  @ApiProperty({ example: '2025-01-01T00:00:00.000Z' }) readonly from!: string;
  @ApiProperty({ example: '2025-01-01T01:00:00.000Z' }) readonly to!: string;
  @ApiProperty({ type: [WindowResponseDto] }) readonly windows!: WindowResponseDto[];
}
