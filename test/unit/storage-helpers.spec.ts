import { utcDay, utcDaysBetween } from '@app/storage/records';
import { POSTGRES_DIALECT, REDSHIFT_DIALECT, truncateUtf8 } from '@app/storage/warehouse/dialect';
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

describe('warehouse dialects', () => {
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
