import { type MergeMethod } from './staged-merge';

/**
 * What differs between Amazon Redshift and PostgreSQL in our DDL. Everything
 * else (types, staging-table loads with DELETE ... USING + INSERT) is written
 * once in SQL both engines run (no arrays, UUID, SERIAL or enums), except the
 * load path: see MergeMethod.
 */
export interface WarehouseDialect {
  readonly name: 'postgres' | 'redshift';
  /** Table attributes appended after the column list. */
  tableAttributes(table: 'fact_posts' | 'fact_windows' | 'fact_trends'): string;
  /** Largest VARCHAR, in bytes for Redshift. */
  readonly maxVarcharBytes: number;
  /** How batches are staged and merged. */
  readonly load: MergeMethod;
}

export const POSTGRES_DIALECT: WarehouseDialect = {
  name: 'postgres',
  tableAttributes: () => '',
  maxVarcharBytes: 65535,
  load: 'json-upsert',
};

export const REDSHIFT_DIALECT: WarehouseDialect = {
  name: 'redshift',
  tableAttributes: (table) =>
    table === 'fact_posts'
      ? 'DISTKEY(subreddit) COMPOUND SORTKEY(created_at, subreddit)'
      : table === 'fact_windows'
        ? 'DISTKEY(subreddit) COMPOUND SORTKEY(window_start, subreddit)'
        : 'DISTKEY(scope) COMPOUND SORTKEY(minute_start, scope)',
  maxVarcharBytes: 65535,
  load: 'staged-delete-insert',
};

export function dialectFor(name: 'postgres' | 'redshift'): WarehouseDialect {
  return name === 'redshift' ? REDSHIFT_DIALECT : POSTGRES_DIALECT;
}

const NUL = /\0/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text the warehouse accepts, at most `maxBytes` of UTF-8: neither engine
 * stores NUL characters, and a lone surrogate (possible in JSON-decoded text)
 * has no UTF-8 form, so they are dropped and replaced by U+FFFD.
 */
export function warehouseText(text: string | null, maxBytes: number): string | null {
  if (text === null) return null;
  const clean = text.replace(NUL, '').replace(LONE_SURROGATE, '\uFFFD');
  return truncateUtf8(clean, maxBytes);
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
