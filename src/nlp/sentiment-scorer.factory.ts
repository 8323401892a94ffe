import type { NlpConfig } from '@app/config';
import { RedditSentimentScorer } from './domain/reddit-model/reddit-sentiment.scorer';
import { type SentimentScorer } from './domain/sentiment';
import { VaderSentimentScorer } from './domain/vader/vader-sentiment.scorer';
import { loadSentimentModel } from './sentiment-model.file';

/** The configured scorer; the server and each NLP worker thread build their own. */
export function createSentimentScorer(config: NlpConfig): SentimentScorer {
  switch (config.sentimentModel) {
    case 'vader':
      return new VaderSentimentScorer({ maxChars: config.maxChars });
    case 'reddit':
      return new RedditSentimentScorer(loadSentimentModel(config.sentimentModelFile), {
        maxChars: config.maxChars,
      });
  }
}
