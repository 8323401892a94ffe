/**
 * What differs between Amazon Redshift and PostgreSQL in our DDL. Everything
 * else (types, staging-table loads with DELETE ... USING + INSERT) is written
 * once in SQL both engines run: no ON CONFLICT, arrays, JSON, UUID, SERIAL or enums.
 */
export interface WarehouseDialect {
  readonly name: 'postgres' | 'redshift';
  /** Table attributes appended after the column list. */
  tableAttributes(table: 'fact_posts' | 'fact_windows'): string;
  /** Largest VARCHAR, in bytes for Redshift. */
  readonly maxVarcharBytes: number;
}

export const POSTGRES_DIALECT: WarehouseDialect = {
  name: 'postgres',
  tableAttributes: () => '',
  maxVarcharBytes: 65535,
};

export const REDSHIFT_DIALECT: WarehouseDialect = {
  name: 'redshift',
  tableAttributes: (table) =>
    table === 'fact_posts'
      ? 'DISTKEY(subreddit) COMPOUND SORTKEY(created_at, subreddit)'
      : 'DISTKEY(subreddit) COMPOUND SORTKEY(window_start, subreddit)',
  maxVarcharBytes: 65535,
};

export function dialectFor(name: 'postgres' | 'redshift'): WarehouseDialect {
  return name === 'redshift' ? REDSHIFT_DIALECT : POSTGRES_DIALECT;
}

/** Cuts a string to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string | null, maxBytes: number): string | null {
  if (text === null) return null;
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Back up over continuation bytes (10xxxxxx) to a character boundary.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}
