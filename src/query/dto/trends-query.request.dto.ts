import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, Matches, Max, Min } from 'class-validator';
import { SUBREDDIT_NAME_PATTERN } from '@app/events/reddit-event';

/** A subreddit name, or "*" for all subreddits together. */
export const SCOPE_PATTERN = new RegExp(
  `^(\\*|${SUBREDDIT_NAME_PATTERN.source.replace(/^\^|\$$/g, '')})$`,
);

/** What a trend is about: a kind of term, or a subreddit's mood or activity. */
export const TREND_KINDS = [
  'keyword',
  'subreddit',
  'user',
  'domain',
  'ticker',
  'hashtag',
  'mood',
  'burst',
] as const;
export type TrendKind = (typeof TREND_KINDS)[number];

/** The query of GET /api/subreddits/:name/trends. */
export class SubredditTrendsQueryRequestDto {
  @ApiPropertyOptional({
    enum: TREND_KINDS,
    description:
      'Only this kind: a keyword (word or two-word phrase), a mentioned subreddit (r/), user (u/), domain, $ticker or #hashtag; or mood (sentiment shift) and burst (activity burst). Default: all.',
    example: 'keyword',
  })
  @IsOptional()
  @IsIn(TREND_KINDS, { message: `kind must be one of: ${TREND_KINDS.join(', ')}` })
  readonly kind?: TrendKind;

  @ApiPropertyOptional({
    description:
      'How far back from `until` to look for minutes judged rising (e.g. 15m, 2h; at most 7d). Default 15m.',
    example: '15m',
  })
  @IsOptional()
  @Matches(/^\d+(m|h|d)$/, { message: 'window must be a duration such as 15m, 2h or 1d' })
  readonly window?: string;

  @ApiPropertyOptional({
    description:
      'End of the look-back (ISO-8601, exclusive; event time of the minutes judged). Default: now. Set it to look at a replay of history.',
    example: '2025-03-03T12:40:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'until must be an ISO-8601 date-time' })
  readonly until?: string;

  @ApiPropertyOptional({ description: 'Most trends returned (1-200). Default 20.', example: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(200, { message: 'limit must be at most 200' })
  readonly limit?: number;
}

/** The query of GET /api/trends: the same, over every subreddit or one. */
export class TrendsQueryRequestDto extends SubredditTrendsQueryRequestDto {
  @ApiPropertyOptional({
    description:
      'A subreddit (without r/), or "*" for the trends of all streamed subreddits together (terms rising across them). Default: every scope, each subreddit\'s and "*".',
    example: '*',
  })
  @IsOptional()
  @Matches(SCOPE_PATTERN, {
    message: 'scope must be "*" or a valid subreddit name (2-21 letters, digits or _)',
  })
  readonly scope?: string;
}
