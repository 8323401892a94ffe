import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { SUBREDDIT_NAME_PATTERN } from '@app/events/reddit-event';

export const STREAM_KIND_NAMES = ['submissions', 'comments'] as const;
export type StreamKindName = (typeof STREAM_KIND_NAMES)[number];
export const STREAM_SOURCES = ['synthetic', 'reddit', 'replay'] as const;

export class SyntheticOptionsDto {
  @ApiPropertyOptional({
    description: 'PRNG seed; same seed, same items.',
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
    description: 'Event time of the first item (ISO-8601). Defaults to when the stream starts.',
    example: '2025-01-01T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'synthetic.startTime must be an ISO-8601 date-time' })
  readonly startTime?: string;

  @ApiPropertyOptional({
    description: 'Event-time spacing between items in ms. Defaults to 1000 / ratePerSecond.',
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

export class ReplayOptionsDto {
  @ApiProperty({
    description:
      "Dump file (one JSON object per line, plain or .zst), relative to the server's REPLAY_DIR.",
    example: 'RC_2024-01_askreddit.zst',
  })
  @IsString()
  @MaxLength(500)
  @Matches(/^[^\0]+$/, { message: 'replay.file must be a file name' })
  readonly file!: string;

  @ApiPropertyOptional({
    description:
      '"max" (as fast as possible), "realtime", or real time × N as "<N>x" (e.g. "60x").',
    example: 'max',
    default: 'max',
  })
  @IsOptional()
  @Matches(/^(max|realtime|\d+(\.\d+)?x)$/, {
    message: 'replay.speed must be "max", "realtime" or a factor like "60x"',
  })
  readonly speed?: string;

  @ApiPropertyOptional({
    description:
      'Line to start at (1-based): to continue a stopped replay, pass its progress.line + 1.',
    example: 1,
    minimum: 1,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  readonly startLine?: number;

  @ApiPropertyOptional({
    description: 'Only items created at or after (ISO-8601).',
    example: '2024-01-01T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'replay.from must be an ISO-8601 date-time' })
  readonly from?: string;

  @ApiPropertyOptional({
    description: 'Only items created before (ISO-8601).',
    example: '2024-01-02T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'replay.to must be an ISO-8601 date-time' })
  readonly to?: string;
}

export class StartStreamRequestDto {
  @ApiPropertyOptional({
    description:
      'Stream id; derived from the definition when omitted (the same definition gives the same id).',
    example: 'askreddit-live',
    pattern: '^[a-z0-9][a-z0-9-]{2,62}$',
  })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9-]{2,62}$/, {
    message:
      'id must be 3-63 lower-case letters, digits or dashes, starting with a letter or digit',
  })
  readonly id?: string;

  @ApiProperty({
    description:
      'Where events come from: the Reddit API (needs REDDIT_* credentials), a dump file replay, or the synthetic generator.',
    enum: STREAM_SOURCES,
    example: 'reddit',
  })
  @IsIn(STREAM_SOURCES, { message: 'source must be one of: synthetic, reddit, replay' })
  readonly source!: (typeof STREAM_SOURCES)[number];

  @ApiPropertyOptional({
    description:
      'Subreddit names without r/ (Reddit rules: 2-21 letters, digits or _). Required for reddit and synthetic; for replay, a filter (empty = all).',
    example: ['AskReddit', 'worldnews'],
    type: [String],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique((name: string) => String(name).toLowerCase(), {
    message: 'subreddits must not repeat a name',
  })
  @Matches(SUBREDDIT_NAME_PATTERN, {
    each: true,
    message: 'each value in subreddits must be a valid subreddit name (2-21 letters, digits or _)',
  })
  readonly subreddits?: string[];

  @ApiPropertyOptional({
    description: 'Which item kinds to ingest.',
    enum: STREAM_KIND_NAMES,
    isArray: true,
    example: ['submissions', 'comments'],
    default: ['submissions', 'comments'],
  })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(STREAM_KIND_NAMES, {
    each: true,
    message: 'each value in kinds must be submissions or comments',
  })
  readonly kinds?: StreamKindName[];

  @ApiPropertyOptional({
    description: 'Synthetic streams only: events per second produced to Kafka.',
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

  @ApiPropertyOptional({ type: SyntheticOptionsDto, description: 'Options of a synthetic stream.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => SyntheticOptionsDto)
  readonly synthetic?: SyntheticOptionsDto;

  @ApiPropertyOptional({
    type: ReplayOptionsDto,
    description: 'Options of a replay stream (required for it).',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => ReplayOptionsDto)
  readonly replay?: ReplayOptionsDto;
}
