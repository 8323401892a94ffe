import { Module } from '@nestjs/common';
import { SentimentScorer } from './domain/sentiment';
import { NaturalSentimentScorer } from './natural-sentiment.scorer';
import { NlpService } from './nlp.service';

@Module({
  providers: [NlpService, { provide: SentimentScorer, useClass: NaturalSentimentScorer }],
  exports: [NlpService],
})
export class NlpModule {}
