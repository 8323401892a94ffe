/**
 * The dead-letter topic's one record shape, written by ingest (a source item
 * that could not be normalised) and by streaming (a Kafka message that could
 * not be decoded). Readers tell them apart by `stage`; both carry the reason,
 * the original text and where it came from, so the item can be fixed and
 * sent again.
 */
interface DeadLetterCommon {
  /** Why, in words a user can act on. */
  readonly reason: string;
  /** The original item or message value, as text (ingest cuts it to a few KB). */
  readonly value: string | null;
  readonly failedAtMs: number;
}

/** A source item ingest could not turn into an event. */
export interface IngestDeadLetter extends DeadLetterCommon {
  readonly stage: 'ingest';
  readonly streamId: string;
  /** Where it came from, e.g. "line 1234 of RC_2024-01.zst" or "GET /r/pics/new". */
  readonly position: string;
}

/** A message on the events topic the consumer could not decode. */
export interface StreamingDeadLetter extends DeadLetterCommon {
  readonly stage: 'streaming';
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
}

export type DeadLetter = IngestDeadLetter | StreamingDeadLetter;

/** A source item ingest could not normalise, as the dead-letter topic keeps it. */
export function ingestDeadLetter(
  streamId: string,
  item: { readonly reason: string; readonly raw: string; readonly position: string },
  failedAtMs: number,
): IngestDeadLetter {
  return {
    stage: 'ingest',
    streamId,
    reason: item.reason,
    position: item.position,
    value: item.raw,
    failedAtMs,
  };
}
