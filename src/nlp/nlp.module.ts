import { Module } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { SentimentScorer } from './domain/sentiment';
import { VaderSentimentScorer } from './domain/vader/vader-sentiment.scorer';
import { NlpController } from './nlp.controller';
import { NlpService } from './nlp.service';

@Module({
  controllers: [NlpController],
  providers: [
    NlpService,
    {
      provide: SentimentScorer,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        new VaderSentimentScorer({ maxChars: config.nlp.maxChars }),
    },
  ],
  exports: [NlpService],
})
export class NlpModule {}
