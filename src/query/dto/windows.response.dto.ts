import { ApiProperty } from '@nestjs/swagger';
import { type WindowRecord } from '@app/storage/records';

export class CountedKeyDto {
  @ApiProperty({ example: 'rust' }) readonly key!: string;
  @ApiProperty({ example: 14 }) readonly count!: number;
}

export class WindowResponseDto {
  @ApiProperty({ example: '2025-01-01T00:00:00.000Z' }) readonly windowStart!: string;
  @ApiProperty({ example: '2025-01-01T00:01:00.000Z' }) readonly windowEnd!: string;
  @ApiProperty({ example: 12 }) readonly submissions!: number;
  @ApiProperty({ example: 48 }) readonly comments!: number;
  @ApiProperty({ example: 60 }) readonly events!: number;
  @ApiProperty({ example: 41 }) readonly uniqueAuthors!: number;
  @ApiProperty({
    example: true,
    description: 'false when uniqueAuthors is an estimate (over 10,000 distinct authors)',
  })
  readonly uniqueAuthorsExact!: boolean;
  @ApiProperty({ example: -0.91, nullable: true, type: Number }) readonly sentimentMin!:
    number | null;
  @ApiProperty({ example: 0.97, nullable: true, type: Number }) readonly sentimentMax!:
    number | null;
  @ApiProperty({
    example: 0.134,
    nullable: true,
    type: Number,
    description: 'Mean sentiment in [-1, 1] of scored events.',
  })
  readonly sentimentMean!: number | null;
  @ApiProperty({ example: 57, description: 'Events that had text to score.' })
  readonly sentimentCount!: number;
  @ApiProperty({ example: 25, description: 'Scored events labelled positive.' })
  readonly positive!: number;
  @ApiProperty({ example: 10 }) readonly neutral!: number;
  @ApiProperty({ example: 22 }) readonly negative!: number;
  @ApiProperty({
    example: ['reddit-1a2b3c4d'],
    type: [String],
    description:
      "The models that scored this window's events; more than one means the model changed inside the window.",
  })
  readonly sentimentModels!: string[];
  @ApiProperty({ example: 1830 }) readonly scoreSum!: number;
  @ApiProperty({
    type: [CountedKeyDto],
    description: 'Most frequent keywords (bounded counters: counts may be low by a small bound)',
  })
  readonly topKeywords!: CountedKeyDto[];
  @ApiProperty({
    type: [CountedKeyDto],
    description: 'Most frequent mentions: r/sub, u/user, domains, $TICKER, #hashtag',
  })
  readonly topMentions!: CountedKeyDto[];
  @ApiProperty({
    example: true,
    description:
      'true once the watermark has passed the window end; a late event within the allowed lateness can still update it',
  })
  readonly final!: boolean;
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
      uniqueAuthors: record.uniqueAuthors,
      uniqueAuthorsExact: record.uniqueAuthorsExact,
      sentimentMin: record.sentimentMin,
      sentimentMax: record.sentimentMax,
      sentimentMean: record.sentimentMean,
      sentimentCount: record.sentimentCount,
      positive: record.positive,
      neutral: record.neutral,
      negative: record.negative,
      sentimentModels: record.sentimentModel === null ? [] : record.sentimentModel.split(','),
      scoreSum: record.scoreSum,
      topKeywords: [...record.topKeywords],
      topMentions: [...record.topMentions],
      final: record.final,
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
