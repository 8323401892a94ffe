import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { SUBREDDIT_NAME_PATTERN } from '../domain/reddit-event';

export const STREAM_KIND_NAMES = ['submissions', 'comments'] as const;
export type StreamKindName = (typeof STREAM_KIND_NAMES)[number];

export class StartStreamRequestDto {
  @ApiPropertyOptional({
    description:
      'Stream id; derived from the definition when omitted (the same definition gives the same id).',
    example: 'askreddit-demo',
    pattern: '^[a-z0-9][a-z0-9-]{2,62}$',
  })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9-]{2,62}$/, {
    message:
      'id must be 3-63 lower-case letters, digits or dashes, starting with a letter or digit',
  })
  readonly id?: string;

  @ApiProperty({
    description: 'Where events come from. This version supports the synthetic generator.',
    enum: ['synthetic'],
    example: 'synthetic',
  })
  @IsIn(['synthetic'], { message: 'source must be one of: synthetic' })
  readonly source!: 'synthetic';

  @ApiProperty({
    description: 'Subreddit names without the r/ prefix (Reddit rules: 2-21 letters, digits or _).',
    example: ['AskReddit', 'worldnews'],
    type: [String],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique((name: string) => String(name).toLowerCase())
  @Matches(SUBREDDIT_NAME_PATTERN, {
    each: true,
    message: 'each value in subreddits must be a valid subreddit name (2-21 letters, digits or _)',
  })
  readonly subreddits!: string[];

  @ApiPropertyOptional({
    description: 'Which item kinds to produce.',
    enum: STREAM_KIND_NAMES,
    isArray: true,
    example: ['submissions', 'comments'],
    default: ['submissions', 'comments'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(STREAM_KIND_NAMES, { each: true })
  readonly kinds?: StreamKindName[];

  @ApiPropertyOptional({
    description: 'Events per second produced to Kafka.',
    example: 20,
    default: 10,
    minimum: 0.1,
    maximum: 100000,
  })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.1)
  @Max(100000)
  readonly ratePerSecond?: number;

  @ApiPropertyOptional({
    description:
      'Stop after this many events (the stream then reads as completed). Unlimited when omitted.',
    example: 10000,
    minimum: 1,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  readonly maxEvents?: number;

  @ApiPropertyOptional({
    description: 'Synthetic source: PRNG seed; same seed, same items.',
    example: 42,
    default: 1,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(2 ** 31 - 1)
  readonly seed?: number;

  @ApiPropertyOptional({
    description:
      'Synthetic source: event time of the first item (ISO-8601). Defaults to the start time.',
    example: '2025-01-01T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  readonly startTime?: string;

  @ApiPropertyOptional({
    description:
      'Synthetic source: event-time spacing between items in ms. Defaults to 1000 / ratePerSecond.',
    example: 250,
    minimum: 0,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  readonly eventIntervalMs?: number;
}
