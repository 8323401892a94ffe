import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** Reddit's own limits: titles 300 characters, bodies 40,000. Larger texts still fit the HTTP body limit. */
export const MAX_ANALYZE_TEXT = 200_000;

export class AnalyzeRequestDto {
  @ApiProperty({
    description: 'The text, as Reddit markdown (links, quotes, code are handled as on Reddit).',
    example:
      'I absolutely LOVE the new update!!! > quoted text is not my opinion\n\nSee [the notes](https://example.com/notes) on r/programming :)',
  })
  @IsString()
  @MaxLength(MAX_ANALYZE_TEXT, { message: `text must be at most ${MAX_ANALYZE_TEXT} characters` })
  readonly text!: string;

  @ApiPropertyOptional({
    description: 'A submission title to analyse with the text.',
    example: 'Thoughts on the update?',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  readonly title?: string;
}
