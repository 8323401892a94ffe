import {
  redoChunks,
  redoIdPrefix,
  redoRowKey,
  redoRowRange,
  writeChars,
} from '@app/storage/cassandra/checkpoint-redo';
import { type CheckpointWrite, type StateItem } from '@app/storage/records';

const item = (kind: StateItem['kind'], key: string, chars = 100): StateItem => ({
  kind,
  key,
  data: 'x'.repeat(chars),
});

const write = (over: Partial<CheckpointWrite>): CheckpointWrite => ({
  epoch: 3,
  nextOffset: '10',
  maxEventTimeMs: null,
  upserts: [],
  deletes: [],
  ...over,
});

describe('checkpoint redo chunks', () => {
  it('cuts the items into chunks of at most the limit, keeping every one once', () => {
    const upserts = Array.from({ length: 500 }, (_, i) => item('window', `w${i}`, 900));
    const deletes = Array.from({ length: 300 }, (_, i) => ({
      kind: 'seen' as const,
      key: `s${i}`,
    }));
    const chunks = redoChunks(write({ upserts, deletes }), 20_000);
    expect(chunks.length).toBeGreaterThan(20);
    for (const chunk of chunks) {
      const chars = writeChars(write({ upserts: chunk.upserts, deletes: chunk.deletes }));
      expect(chars).toBeLessThanOrEqual(20_000);
    }
    expect(chunks.flatMap((c) => c.upserts)).toEqual(upserts);
    expect(chunks.flatMap((c) => c.deletes)).toEqual(deletes);
  });

  it('gives an item bigger than the limit a chunk of its own', () => {
    const chunks = redoChunks(
      write({ upserts: [item('window', 'a', 50), item('window', 'big', 5000)] }),
      1000,
    );
    expect(chunks.map((c) => c.upserts.map((u) => u.key))).toEqual([['a'], ['big']]);
  });

  it('has the outcome of one batch: deletes and purges beat upserts, the last upsert of a row wins', () => {
    const chunks = redoChunks(
      write({
        upserts: [
          item('window', 'kept', 1),
          item('window', 'deleted', 1),
          item('closed-window', '2025-01-01', 1),
          item('closed-window', '2025-03-01', 1),
          { kind: 'window', key: 'kept', data: 'second' },
          item('seen', 'deleted', 1),
        ],
        deletes: [{ kind: 'window', key: 'deleted' }],
        purges: [{ kind: 'closed-window', beforeKey: '2025-02-01' }],
      }),
    );
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.upserts).toEqual([
      { kind: 'window', key: 'kept', data: 'second' },
      item('closed-window', '2025-03-01', 1),
      item('seen', 'deleted', 1),
    ]);
    expect(chunks[0]?.deletes).toEqual([{ kind: 'window', key: 'deleted' }]);
  });

  it('names rows so that a redo is one key range, after the ids of earlier epochs', () => {
    const id = `${redoIdPrefix(12)}abc`;
    const range = redoRowRange(id);
    const keys = [0, 1, 9, 10, 11, 999].map((n) => redoRowKey(id, n));
    expect([...keys].sort()).toEqual(keys);
    for (const key of keys) expect(key >= range.from && key < range.to).toBe(true);
    expect(redoRowKey(`${redoIdPrefix(11)}zzz`, 5) < redoIdPrefix(12)).toBe(true);
    expect(redoRowKey(`${redoIdPrefix(9)}zzz`, 5) < redoIdPrefix(10)).toBe(true);
    expect(redoRowKey(id, 0) < redoIdPrefix(12)).toBe(false);
  });
});
