import { Injectable, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { type RedditEvent } from '@app/events/reddit-event';
import { analyzeRedditText, type TextAnalysis, type TextParts } from './domain/analysis';
import { SentimentScorer } from './domain/sentiment';
import { NlpWorkerPool } from './worker/nlp-worker-pool';

export interface EnrichedEvent extends TextAnalysis {
  readonly event: RedditEvent;
}

/** NLP for the streaming handler (per batch) and for ad-hoc text from the API. */
@Injectable()
export class NlpService implements OnApplicationShutdown {
  private readonly pool: NlpWorkerPool | null;

  constructor(
    private readonly scorer: SentimentScorer,
    /** Absent (offline tools and tests): no worker threads. */
    @Optional() config?: AppConfig,
  ) {
    const workers = config?.nlp.workers ?? 0;
    this.pool = config && workers > 0 ? new NlpWorkerPool(config.nlp, workers) : null;
  }

  /** Each event with its analysis, on the worker threads when there are any. */
  async enrich(events: readonly RedditEvent[]): Promise<EnrichedEvent[]> {
    if (this.pool === null || events.length === 0) return this.enrichBatch(events);
    const analyses = await this.pool.analyze(
      events.map((event) => ({ title: event.title, body: event.body })),
    );
    return events.map((event, i) => ({ event, ...(analyses[i] as TextAnalysis) }));
  }

  analyze(parts: TextParts): TextAnalysis {
    return analyzeRedditText(parts, this.scorer);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool?.close();
  }

  /** Each event with its analysis, on this thread. */
  enrichBatch(events: readonly RedditEvent[]): EnrichedEvent[] {
    return events.map((event) => ({
      event,
      ...analyzeRedditText({ title: event.title, body: event.body }, this.scorer),
    }));
  }
}
