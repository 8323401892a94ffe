import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { type TextAnalysis } from '../domain/analysis';

export class SentimentDto {
  @ApiProperty({ example: 0.8658, description: 'Compound score in [-1, 1].' })
  readonly compound!: number;
  @ApiProperty({ enum: ['positive', 'neutral', 'negative'], example: 'positive' })
  readonly label!: string;
  @ApiProperty({ example: 0.45 }) readonly positive!: number;
  @ApiProperty({ example: 0.55 }) readonly neutral!: number;
  @ApiProperty({ example: 0 }) readonly negative!: number;
  @ApiProperty({
    example: false,
    description: 'Only the first NLP_MAX_CHARS characters were scored.',
  })
  readonly truncated!: boolean;
}

export class KeywordDto {
  @ApiProperty({ example: 'update' }) readonly key!: string;
  @ApiProperty({ example: 1 }) readonly count!: number;
}

export class MentionsDto {
  @ApiProperty({ example: ['programming'], type: [String] }) readonly subreddits!: string[];
  @ApiProperty({ example: [], type: [String] }) readonly users!: string[];
  @ApiProperty({ example: ['example.com'], type: [String] }) readonly domains!: string[];
  @ApiProperty({ example: [], type: [String] }) readonly tickers!: string[];
  @ApiProperty({ example: [], type: [String] }) readonly hashtags!: string[];
}

export class AnalyzeResponseDto {
  @ApiProperty({ enum: ['en', 'non-en', 'unknown'], example: 'en' }) readonly language!: string;
  @ApiPropertyOptional({
    type: SentimentDto,
    nullable: true,
    description: 'null for empty, deleted, removed or non-English text.',
  })
  readonly sentiment!: SentimentDto | null;
  @ApiProperty({ type: [KeywordDto] }) readonly keywords!: KeywordDto[];
  @ApiProperty({ type: MentionsDto }) readonly mentions!: MentionsDto;
  @ApiProperty({ example: false, description: 'The text was a [deleted] or [removed] marker.' })
  readonly removed!: boolean;

  static from(analysis: TextAnalysis): AnalyzeResponseDto {
    const { sentiment } = analysis;
    return {
      language: analysis.language,
      sentiment: sentiment
        ? {
            compound: sentiment.score,
            label: sentiment.label,
            positive: sentiment.positive ?? 0,
            neutral: sentiment.neutral ?? 0,
            negative: sentiment.negative ?? 0,
            truncated: sentiment.truncated ?? false,
          }
        : null,
      keywords: analysis.keywords.map((k) => ({ key: k.key, count: k.count })),
      mentions: {
        subreddits: [...analysis.mentions.subreddits],
        users: [...analysis.mentions.users],
        domains: [...analysis.mentions.domains],
        tickers: [...analysis.mentions.tickers],
        hashtags: [...analysis.mentions.hashtags],
      },
      removed: analysis.removed,
    };
  }
}
