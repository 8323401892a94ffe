import { Module } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { RedditSentimentScorer } from './domain/reddit-model/reddit-sentiment.scorer';
import { SentimentScorer } from './domain/sentiment';
import { VaderSentimentScorer } from './domain/vader/vader-sentiment.scorer';
import { NlpController } from './nlp.controller';
import { NlpService } from './nlp.service';
import { loadSentimentModel } from './sentiment-model.file';

@Module({
  controllers: [NlpController],
  providers: [
    NlpService,
    {
      provide: SentimentScorer,
      inject: [AppConfig],
      useFactory: (config: AppConfig): SentimentScorer => {
        const { maxChars, sentimentModel, sentimentModelFile } = config.nlp;
        switch (sentimentModel) {
          case 'vader':
            return new VaderSentimentScorer({ maxChars });
          case 'reddit':
            return new RedditSentimentScorer(loadSentimentModel(sentimentModelFile), { maxChars });
        }
      },
    },
  ],
  exports: [NlpService],
})
export class NlpModule {}
