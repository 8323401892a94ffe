import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches, MaxLength } from 'class-validator';
import { SUBREDDIT_NAME_PATTERN } from '@app/events/reddit-event';
import { SCOPE_PATTERN, TREND_KINDS, type TrendKind } from './trends-query.request.dto';

const NAME = SUBREDDIT_NAME_PATTERN.source.replace(/^\^|\$$/g, '');
const NAME_LIST = new RegExp(`^${NAME}(,${NAME}){0,99}$`);

class ResumableQuery {
  @ApiPropertyOptional({
    description:
      'Resume after this event id, for clients that cannot send the Last-Event-ID header (the header wins when both are present).',
    example: '0-1z.1-a3.2-k',
  })
  @IsOptional()
  @MaxLength(20_000)
  readonly lastEventId?: string;
}

export class LiveWindowsQueryRequestDto extends ResumableQuery {
  @ApiProperty({
    description: 'Subreddits to follow, comma-separated (without r/, at most 100).',
    example: 'wallstreetbets,stocks',
  })
  @Matches(NAME_LIST, {
    message: 'subreddits must be 1-100 comma-separated subreddit names (2-21 letters, digits or _)',
  })
  readonly subreddits!: string;

  @ApiPropertyOptional({
    description: 'Only this window spec (e.g. "1m" or "5m/1m"). Default: every configured spec.',
    example: '1m',
  })
  @IsOptional()
  @Matches(/^\d+(ms|s|m|h|d)(\/\d+(ms|s|m|h|d))?$/, {
    message: 'window must be a window spec such as "1m" or "5m/1m"',
  })
  readonly window?: string;
}

export class LiveTrendsQueryRequestDto extends ResumableQuery {
  @ApiPropertyOptional({
    description:
      'Only this subreddit (without r/), or "*" for the trends of all subreddits together. Default: every scope.',
    example: 'wallstreetbets',
  })
  @IsOptional()
  @Matches(SCOPE_PATTERN, {
    message: 'scope must be "*" or a valid subreddit name (2-21 letters, digits or _)',
  })
  readonly scope?: string;

  @ApiPropertyOptional({ enum: TREND_KINDS, description: 'Only this kind. Default: all.' })
  @IsOptional()
  @IsIn(TREND_KINDS, { message: `kind must be one of: ${TREND_KINDS.join(', ')}` })
  readonly kind?: TrendKind;
}
