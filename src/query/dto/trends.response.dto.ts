import { ApiProperty } from '@nestjs/swagger';
import { type TrendRecord } from '@app/storage/records';
import { type RankedTrend } from '../trends.service';
import { TREND_KINDS } from './trends-query.request.dto';

const iso = (ms: number): string => new Date(ms).toISOString();

/** One finding: a term (or shift) judged rising in one minute. */
export class TrendFindingDto {
  @ApiProperty({
    example: 'wallstreetbets',
    description: 'The subreddit it was found in, or "*" for all streamed subreddits together.',
  })
  readonly scope!: string;
  @ApiProperty({ enum: TREND_KINDS, example: 'ticker' })
  readonly kind!: string;
  @ApiProperty({
    example: '$NVDA',
    description:
      'The term ("r/name", "u/name", "$TICKER", "#tag", a domain or a keyword); for mood and burst, the direction (up or down).',
  })
  readonly term!: string;
  @ApiProperty({
    example: 'live',
    description: 'Where it was found: "live", or "backfill:<stream id>" for a replayed history.',
  })
  readonly lane!: string;
  @ApiProperty({ example: '2025-03-03T12:34:00.000Z', description: 'The minute judged rising.' })
  readonly minute!: string;
  @ApiProperty({
    example: '2025-03-03T12:31:00.000Z',
    description: 'When the rise or shift began.',
  })
  readonly since!: string;
  @ApiProperty({
    example: 42,
    description: 'The count in that minute (events, for a burst; mean sentiment, for mood).',
  })
  readonly value!: number;
  @ApiProperty({ example: 3.1, description: 'What its own history predicted for that minute.' })
  readonly expected!: number;
  @ApiProperty({
    example: 21.8,
    description: 'Standard deviations from the expectation (negative: mood turning down).',
  })
  readonly score!: number;
  @ApiProperty({
    example: 0.9999999,
    description: '1 minus the chance of a value this far out at the expected rate or level.',
  })
  readonly confidence!: number;
  @ApiProperty({
    example: false,
    description: 'A term first seen in the subreddit under 10 minutes before.',
  })
  readonly isNew!: boolean;
  @ApiProperty({ example: '2025-03-03T12:35:11.250Z', description: 'When the minute was judged.' })
  readonly detectedAt!: string;

  static from(t: TrendRecord): TrendFindingDto {
    return {
      scope: t.scope,
      kind: t.kind,
      term: t.term,
      lane: t.lane,
      minute: iso(t.minuteMs),
      since: iso(t.sinceMs),
      value: t.value,
      expected: t.expected,
      score: t.score,
      confidence: t.confidence,
      isNew: t.isNew,
      detectedAt: iso(t.detectedAtMs),
    };
  }
}

/** A term (or shift) over the look-back: its latest minute, and how strong and long it was. */
export class TrendResponseDto extends TrendFindingDto {
  @ApiProperty({
    example: 25.3,
    description: 'The largest |score| in the look-back: what ranks it.',
  })
  readonly peakScore!: number;
  @ApiProperty({ example: 4, description: 'Minutes judged rising in the look-back.' })
  readonly minutes!: number;

  static fromRanked(t: RankedTrend): TrendResponseDto {
    return { ...TrendFindingDto.from(t.latest), peakScore: t.peakScore, minutes: t.minutes };
  }
}

export class TrendsResponseDto {
  @ApiProperty({
    example: 'wallstreetbets',
    nullable: true,
    type: String,
    description: 'Null: every subreddit.',
  })
  readonly scope!: string | null;
  @ApiProperty({
    enum: TREND_KINDS,
    nullable: true,
    example: null,
    description: 'Null: every kind.',
  })
  readonly kind!: string | null;
  @ApiProperty({ example: '2025-03-03T12:25:00.000Z' })
  readonly from!: string;
  @ApiProperty({ example: '2025-03-03T12:40:00.000Z' })
  readonly until!: string;
  @ApiProperty({ type: [TrendResponseDto], description: 'Strongest first.' })
  readonly trends!: TrendResponseDto[];
}
