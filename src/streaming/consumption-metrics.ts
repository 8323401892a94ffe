import { type StreamingDeadLetter } from '@app/events/dead-letter';
import { type Outcome, UNKNOWN_STREAM } from '@app/events/stream-outcomes';
import { type MetricsService } from '@app/metrics/metrics.service';
import { type EnrichedEvent } from '@app/nlp/nlp.service';
import { type EngineInput, type IngestOutcome } from './domain/engine';
import { type StreamTallies } from './stream-tallies';

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

/** Counts one batch's outcomes per ingest stream, in the partition's tallies and the metrics. */
export function tallyBatch(
  tallies: StreamTallies,
  metrics: MetricsService,
  streamOf: (input: EngineInput) => string,
  outcome: IngestOutcome,
  rejected: readonly StreamingDeadLetter[],
): void {
  // Summed per batch first: one tally update and one labelled-counter lookup
  // per stream and outcome, not per event.
  const counts = new Map<Outcome, Map<string, number>>();
  const count = (streamId: string, what: Outcome) => {
    let byStream = counts.get(what);
    if (!byStream) counts.set(what, (byStream = new Map<string, number>()));
    byStream.set(streamId, (byStream.get(streamId) ?? 0) + 1);
  };
  for (const input of outcome.applied) count(streamOf(input), 'applied');
  for (const input of outcome.lateApplied) count(streamOf(input), 'lateApplied');
  for (const input of outcome.tooLate) count(streamOf(input), 'tooLate');
  for (const input of outcome.duplicates) count(streamOf(input), 'duplicates');
  for (const letter of rejected) count(streamOfRejected(letter.value), 'deadLettered');
  for (const [what, byStream] of counts) {
    for (const [streamId, n] of byStream) {
      tallies.add(streamId, what, n);
      metrics.streamEvents.inc({ stream: streamId, outcome: what }, n);
    }
  }
}

/** The stream a message that is not a valid event came from, when its JSON says so. */
function streamOfRejected(value: string | null): string {
  if (value === null) return UNKNOWN_STREAM;
  try {
    const streamId = (JSON.parse(value) as { streamId?: unknown } | null)?.streamId;
    return typeof streamId === 'string' ? streamId : UNKNOWN_STREAM;
  } catch {
    return UNKNOWN_STREAM;
  }
}
