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

/** Decodes one partition batch into events, in offset order. */
export function decodeBatch(batch: ConsumedBatch, nowMs: number): DecodedBatch {
  const events: RedditEvent[] = [];
  const offsets: string[] = [];
  const rejected: StreamingDeadLetter[] = [];
  const laneEnds: LaneEnd[] = [];
  for (const message of batch.messages) {
    const text = message.value?.toString('utf8') ?? null;
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
        value: text,
        failedAtMs: nowMs,
      });
    if (text === null) {
      reject('empty message value');
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
