import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { type TextAnalysis } from '../domain/analysis';

export class ClassProbabilitiesDto {
  @ApiProperty({ example: 0.91 }) readonly positive!: number;
  @ApiProperty({ example: 0.07 }) readonly neutral!: number;
  @ApiProperty({ example: 0.02 }) readonly negative!: number;
}

export class SentimentDto {
  @ApiProperty({
    example: 'reddit-1a2b3c4d',
    description:
      'The model that answered: "reddit-" and the trained model\'s id (NLP_SENTIMENT_MODEL=reddit), or "vader".',
  })
  readonly model!: string;
  @ApiProperty({
    enum: ['positive', 'neutral', 'negative'],
    example: 'positive',
    description:
      'The most probable class (reddit), or the ±0.05 rule on the compound score (vader).',
  })
  readonly label!: string;
  @ApiProperty({
    example: 0.89,
    description:
      'Score in [-1, 1], the value windows average: P(positive) − P(negative) for the reddit model, the compound score for vader.',
  })
  readonly score!: number;
  @ApiProperty({
    type: ClassProbabilitiesDto,
    nullable: true,
    description: 'Class probabilities of the reddit model; null for vader.',
  })
  readonly probabilities!: ClassProbabilitiesDto | null;
  @ApiProperty({ example: 0.8658, description: "VADER's compound score in [-1, 1]." })
  readonly compound!: number;
  @ApiProperty({ example: 0.45, description: "VADER's share of positive text." })
  readonly positive!: number;
  @ApiProperty({ example: 0.55, description: "VADER's share of neutral text." })
  readonly neutral!: number;
  @ApiProperty({ example: 0, description: "VADER's share of negative text." })
  readonly negative!: number;
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
            model: sentiment.model,
            label: sentiment.label,
            score: sentiment.score,
            probabilities: sentiment.probabilities
              ? {
                  positive: sentiment.probabilities.positive,
                  neutral: sentiment.probabilities.neutral,
                  negative: sentiment.probabilities.negative,
                }
              : null,
            compound: sentiment.lexicon.compound,
            positive: sentiment.lexicon.positive,
            neutral: sentiment.lexicon.neutral,
            negative: sentiment.lexicon.negative,
            truncated: sentiment.truncated,
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
