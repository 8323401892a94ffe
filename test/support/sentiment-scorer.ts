import { RedditSentimentScorer } from '@app/nlp/domain/reddit-model/reddit-sentiment.scorer';
import { loadSentimentModel } from '@app/nlp/sentiment-model.file';

/** The scorer a server with the default configuration uses: the shipped Reddit model. */
export function serverSentimentScorer(): RedditSentimentScorer {
  return new RedditSentimentScorer(loadSentimentModel(null));
}
