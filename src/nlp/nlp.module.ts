import { Module } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { SentimentScorer } from './domain/sentiment';
import { NlpController } from './nlp.controller';
import { NlpService } from './nlp.service';
import { createSentimentScorer } from './sentiment-scorer.factory';

@Module({
  controllers: [NlpController],
  providers: [
    NlpService,
    {
      provide: SentimentScorer,
      inject: [AppConfig],
      useFactory: (config: AppConfig): SentimentScorer => createSentimentScorer(config.nlp),
    },
  ],
  exports: [NlpService],
})
export class NlpModule {}
