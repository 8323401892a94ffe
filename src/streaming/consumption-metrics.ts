import { type StreamingDeadLetter } from '@app/events/dead-letter';
import { type MetricsService } from '@app/metrics/metrics.service';
import { type EnrichedEvent } from '@app/nlp/nlp.service';

/** Records what one batch brought: events by kind, their sentiment, duplicates and dead letters. */
export function recordConsumption(
  metrics: MetricsService,
  enriched: readonly EnrichedEvent[],
  duplicates: number,
  rejected: readonly StreamingDeadLetter[],
): void {
  let submissions = 0;
  for (const { event, sentiment } of enriched) {
    if (event.kind === 'submission') submissions++;
    if (sentiment) metrics.eventSentiment.observe({ subreddit: event.subreddit }, sentiment.score);
  }
  metrics.recordConsumed('submission', submissions);
  metrics.recordConsumed('comment', enriched.length - submissions);
  if (duplicates > 0) metrics.eventsDuplicate.inc(duplicates);
  for (const letter of rejected) {
    metrics.eventsDeadLettered.inc({
      reason: letter.reason.startsWith('invalid JSON') ? 'invalid_json' : 'invalid_event',
    });
  }
}
