import { Injectable } from '@nestjs/common';
import { type RedditEvent } from '@app/ingest/domain/reddit-event';
import { type Sentiment, SentimentScorer } from './domain/sentiment';

export interface EnrichedEvent {
  readonly event: RedditEvent;
  readonly sentiment: Sentiment | null;
}

/** Enriches events with NLP results; called once per consumed batch. */
@Injectable()
export class NlpService {
  constructor(private readonly scorer: SentimentScorer) {}

  enrichBatch(events: readonly RedditEvent[]): EnrichedEvent[] {
    return events.map((event) => ({ event, sentiment: this.scorer.score(textOf(event)) }));
  }
}

/** The author's words: a submission's title and body, or a comment's body. */
export function textOf(event: RedditEvent): string {
  return [event.title, event.body].filter((part): part is string => !!part).join('\n');
}
