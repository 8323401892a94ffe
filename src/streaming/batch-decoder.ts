import { isUtf8 } from 'node:buffer';
import { type StreamingDeadLetter } from '@app/events/dead-letter';
import { LANE_END_HEADER, parseLaneEnd } from '@app/events/lane-end';
import { parseRedditEvent, type RedditEvent } from '@app/events/reddit-event';
import { type ConsumedBatch } from '@app/kafka/consumer/consumed-batch';
import { backfillLane, type LaneEnd, LIVE_LANE } from './domain/engine';

export interface DecodedBatch {
  readonly events: RedditEvent[];
  /** The offset of each event. */
  readonly offsets: string[];
  /** Messages that are not events, with the reason: poison never stops a partition. */
  readonly rejected: StreamingDeadLetter[];
  /** Backfill lanes that closed here, each after the first `after` of `events`. */
  readonly laneEnds: LaneEnd[];
}

/**
 * The largest message taken as an event. Reddit caps a self post at 40,000
 * characters and a comment at 10,000, so a real event stays far below this;
 * anything larger is refused rather than carried through NLP and the stores.
 */
export const MAX_EVENT_BYTES = 256 * 1024;
/** A dead letter keeps this much of a refused message's text, so it stays one small record. */
export const DEAD_LETTER_VALUE_CHARS = 16 * 1024;

/** Decodes one partition batch into events, in offset order. */
export function decodeBatch(batch: ConsumedBatch, nowMs: number): DecodedBatch {
  const events: RedditEvent[] = [];
  const offsets: string[] = [];
  const rejected: StreamingDeadLetter[] = [];
  const laneEnds: LaneEnd[] = [];
  for (const message of batch.messages) {
    const bytes = message.value;
    const text = bytes?.toString('utf8') ?? null;
    if (message.headers[LANE_END_HEADER] !== undefined && text !== null) {
      const marker = parseLaneEnd(text);
      if (marker !== null) {
        const lane = marker.live ? LIVE_LANE : backfillLane(marker.streamId);
        laneEnds.push({ lane, after: events.length });
        continue;
      }
    }
    const reject = (reason: string) =>
      rejected.push({
        stage: 'streaming',
        reason,
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        key: message.key,
        value:
          text !== null && text.length > DEAD_LETTER_VALUE_CHARS
            ? text.slice(0, DEAD_LETTER_VALUE_CHARS)
            : text,
        failedAtMs: nowMs,
      });
    if (text === null || bytes === null) {
      reject('empty message value');
      continue;
    }
    if (bytes.length > MAX_EVENT_BYTES) {
      reject(
        `message of ${bytes.length} bytes is larger than an event may be (${MAX_EVENT_BYTES} bytes); ` +
          `its first ${DEAD_LETTER_VALUE_CHARS} characters are kept here`,
      );
      continue;
    }
    // Decoding would quietly turn bad bytes into U+FFFD; a producer sending them has a bug to see.
    if (!isUtf8(bytes)) {
      reject('message value is not valid UTF-8');
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      reject(`invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const parsed = parseRedditEvent(json);
    if (parsed.ok) {
      events.push(parsed.value);
      offsets.push(message.offset);
    } else reject(`invalid event: ${parsed.reason}`);
  }
  return { events, offsets, rejected, laneEnds };
}
