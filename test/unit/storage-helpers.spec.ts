import {
  forEachConcurrently,
  type PartitionRow,
  partitionBatches,
  textBytes,
} from '@app/storage/cassandra/partition-batches';
import { utcDay, utcDaysBetween } from '@app/storage/records';
import {
  POSTGRES_DIALECT,
  REDSHIFT_DIALECT,
  truncateUtf8,
  warehouseText,
} from '@app/storage/warehouse/dialect';
import { lastByKey } from '@app/storage/warehouse/staged-merge';

describe('UTC day buckets', () => {
  it('maps a time to its UTC day', () => {
    expect(utcDay(Date.UTC(2025, 0, 1, 23, 59, 59))).toBe('2025-01-01');
    expect(utcDay(Date.UTC(2025, 0, 2))).toBe('2025-01-02');
  });

  it('lists every day a half-open range touches', () => {
    expect(utcDaysBetween(Date.UTC(2025, 0, 1, 23), Date.UTC(2025, 0, 3, 1))).toEqual([
      '2025-01-01',
      '2025-01-02',
      '2025-01-03',
    ]);
    // The end is exclusive: a range ending at midnight does not touch the next day.
    expect(utcDaysBetween(Date.UTC(2025, 0, 1, 10), Date.UTC(2025, 0, 2))).toEqual(['2025-01-01']);
  });
});

describe('truncateUtf8', () => {
  it('leaves short text alone and keeps null', () => {
    expect(truncateUtf8('hello', 10)).toBe('hello');
    expect(truncateUtf8(null, 10)).toBeNull();
  });

  it('cuts to the byte budget without splitting a character', () => {
    // "é" is 2 bytes, "😀" is 4 bytes in UTF-8.
    expect(truncateUtf8('ééééé', 5)).toBe('éé');
    expect(truncateUtf8('a😀b', 4)).toBe('a');
    expect(truncateUtf8('a😀b', 5)).toBe('a😀');
    const long = 'x'.repeat(70_000);
    expect(Buffer.byteLength(truncateUtf8(long, 65_535) ?? '')).toBe(65_535);
  });
});

describe('warehouseText', () => {
  it('drops NUL characters and replaces lone surrogates, keeping pairs', () => {
    expect(warehouseText('a\0b', 10)).toBe('ab');
    expect(warehouseText('x\ud800y\udc00z😀', 100)).toBe('x\ufffdy\ufffdz😀');
    expect(warehouseText(null, 10)).toBeNull();
  });

  it('cuts the cleaned text to the byte budget', () => {
    expect(warehouseText('\0\0abcdef', 3)).toBe('abc');
  });
});

describe('warehouse dialects', () => {
  it('loads PostgreSQL through JSON and upserts, Redshift through VALUES and delete-insert', () => {
    expect(POSTGRES_DIALECT.load).toBe('json-upsert');
    expect(REDSHIFT_DIALECT.load).toBe('staged-delete-insert');
  });

  it('adds distribution and sort keys only on Redshift', () => {
    expect(POSTGRES_DIALECT.tableAttributes('fact_windows')).toBe('');
    expect(REDSHIFT_DIALECT.tableAttributes('fact_windows')).toContain('DISTKEY(subreddit)');
    expect(REDSHIFT_DIALECT.tableAttributes('fact_posts')).toContain('SORTKEY(created_at');
  });
});

describe('lastByKey', () => {
  it('keeps the last row per key so a staged merge never sees a key twice', () => {
    const rows = [
      { k: 'a', v: 1 },
      { k: 'b', v: 2 },
      { k: 'a', v: 3 },
    ];
    expect(lastByKey(rows, (r) => r.k)).toEqual([
      { k: 'a', v: 3 },
      { k: 'b', v: 2 },
    ]);
  });
});

describe('Cassandra partition batches', () => {
  const row = (partitionKey: string, id: string, bytes = 100): PartitionRow => ({
    partitionKey,
    rowKey: `${partitionKey}|${id}`,
    params: [partitionKey, id],
    bytes,
  });
  const ids = (batches: PartitionRow[][]) => batches.map((b) => b.map((r) => r.params[1]));

  it('puts each partition in its own batches, keeping row order', () => {
    const batches = partitionBatches([row('a', '1'), row('b', '2'), row('a', '3'), row('c', '4')]);
    expect(ids(batches)).toEqual([['1', '3'], ['2'], ['4']]);
    for (const batch of batches) {
      expect(new Set(batch.map((r) => r.partitionKey)).size).toBe(1);
    }
  });

  it('cuts a partition by estimated bytes and by rows, and sends an oversized row alone', () => {
    const limits = { maxBatchBytes: 250, maxBatchRows: 3 };
    const bySize = partitionBatches(
      [row('a', '1'), row('a', '2'), row('a', '3', 300), row('a', '4'), row('a', '5')],
      limits,
    );
    expect(ids(bySize)).toEqual([['1', '2'], ['3'], ['4', '5']]);
    const byRows = partitionBatches(
      ['1', '2', '3', '4', '5'].map((id) => row('a', id, 1)),
      limits,
    );
    expect(ids(byRows)).toEqual([
      ['1', '2', '3'],
      ['4', '5'],
    ]);
  });

  it('keeps only the last version of a row written twice, where it was first seen', () => {
    const first = { ...row('a', '1'), params: ['a', '1', 'old'] };
    const second = { ...row('a', '1'), params: ['a', '1', 'new'] };
    const batches = partitionBatches([first, row('a', '2'), second]);
    expect(batches.map((b) => b.map((r) => r.params))).toEqual([
      [
        ['a', '1', 'new'],
        ['a', '2'],
      ],
    ]);
  });

  it('estimates UTF-8 bytes, counting nulls as nothing', () => {
    expect(textBytes('abc', null, 'é😀')).toBe(3 + 2 + 4);
  });

  it('runs work with bounded concurrency and rejects on a failure', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await forEachConcurrently([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      done.push(n);
      running--;
    });
    expect(peak).toBe(3);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    await expect(
      forEachConcurrently([1, 2], 2, (n) =>
        n === 2 ? Promise.reject(new Error('write failed')) : Promise.resolve(),
      ),
    ).rejects.toThrow('write failed');
  });
});
