import { type ConsumedMessage } from '@app/kafka/consumer/consumed-batch';
import { SyntheticRedditGenerator } from '@app/ingest/sources/synthetic/synthetic-generator';
import {
  DEAD_LETTER_VALUE_CHARS,
  decodeBatch,
  MAX_EVENT_BYTES,
} from '@app/streaming/batch-decoder';

const events = new SyntheticRedditGenerator({
  seed: 7,
  subreddits: ['AskReddit'],
  kinds: ['comment'],
  startTimeMs: Date.UTC(2025, 0, 1),
  eventIntervalMs: 1000,
  streamId: 'decoder-test',
})
  .take(3)
  .map((e) => ({ ...e, ingestedUtc: Date.UTC(2025, 0, 1) / 1000 }));

function message(offset: number, value: Buffer | string | null): ConsumedMessage {
  return {
    offset: String(offset),
    key: 'askreddit',
    value: typeof value === 'string' ? Buffer.from(value, 'utf8') : value,
    timestampMs: 0,
    headers: {},
  };
}

describe('decodeBatch and hostile messages', () => {
  it('dead-letters each kind of poison with a reason and keeps every valid event around it', () => {
    const [a, b, c] = events.map((e) => JSON.stringify(e));
    const invalidUtf8 = Buffer.concat([
      Buffer.from(JSON.stringify({ ...events[0], body: 'caf' }).slice(0, -2), 'utf8'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}', 'utf8'),
    ]);
    const huge = JSON.stringify({ ...events[1], body: 'x'.repeat(MAX_EVENT_BYTES) });
    const batch = {
      topic: 'events',
      partition: 0,
      messages: [
        message(0, a ?? ''),
        message(1, '{"schemaVersion": 1, "kind": "comm'),
        message(2, JSON.stringify({ ...events[0], score: 'high' })),
        message(3, JSON.stringify({ ...events[0], schemaVersion: 99 })),
        message(4, invalidUtf8),
        message(5, huge),
        message(6, null),
        message(7, '[]'),
        message(8, b ?? ''),
        message(9, c ?? ''),
      ],
    };
    const decoded = decodeBatch(batch, 1_000);
    expect(decoded.events.map((e) => e.fullname)).toEqual(events.map((e) => e.fullname));
    expect(decoded.offsets).toEqual(['0', '8', '9']);
    const reasons = decoded.rejected.map((r) => [r.offset, r.reason]);
    expect(reasons).toEqual([
      ['1', expect.stringMatching(/^invalid JSON/)],
      ['2', 'invalid event: score must be a number'],
      ['3', 'invalid event: unsupported schemaVersion 99'],
      ['4', 'message value is not valid UTF-8'],
      ['5', expect.stringMatching(/^message of \d+ bytes is larger than an event may be/)],
      ['6', 'empty message value'],
      ['7', 'invalid event: event is not a JSON object'],
    ]);
    // A refused giant keeps only its start, so its dead letter stays one small record.
    const giant = decoded.rejected.find((r) => r.offset === '5');
    expect(giant?.value).toHaveLength(DEAD_LETTER_VALUE_CHARS);
    expect(huge.startsWith(giant?.value ?? '-')).toBe(true);
    for (const letter of decoded.rejected) {
      expect(letter).toMatchObject({ stage: 'streaming', topic: 'events', partition: 0 });
    }
  });
});
