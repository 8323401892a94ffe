import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { SUBREDDIT_NAME_PATTERN } from '@app/events/reddit-event';

export class SubredditParamRequestDto {
  @ApiProperty({
    description: 'Subreddit name without r/ (case-insensitive).',
    example: 'AskReddit',
  })
  @Matches(SUBREDDIT_NAME_PATTERN, {
    message: 'name must be a valid subreddit name (2-21 letters, digits or _)',
  })
  readonly name!: string;
}
