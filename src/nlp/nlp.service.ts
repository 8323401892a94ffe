import { Injectable } from '@nestjs/common';
import { type RedditEvent } from '@app/events/reddit-event';
import { analyzeRedditText, type TextAnalysis, type TextParts } from './domain/analysis';
import { SentimentScorer } from './domain/sentiment';

export interface EnrichedEvent extends TextAnalysis {
  readonly event: RedditEvent;
}

/** NLP for the streaming handler (per batch) and for ad-hoc text from the API. */
@Injectable()
export class NlpService {
  constructor(private readonly scorer: SentimentScorer) {}

  enrichBatch(events: readonly RedditEvent[]): EnrichedEvent[] {
    return events.map((event) => ({
      event,
      ...analyzeRedditText({ title: event.title, body: event.body }, this.scorer),
    }));
  }

  analyze(parts: TextParts): TextAnalysis {
    return analyzeRedditText(parts, this.scorer);
  }
}
