import { types } from 'cassandra-driver';

const cache = new Map<string, types.LocalDate>();
const MAX_CACHED = 64;

/**
 * Cassandra's `date` for a "YYYY-MM-DD" day. Every post and window row
 * carries one and nearly all share a day or two, so the parsed values are
 * kept (the driver only reads them when it encodes a request).
 */
export function localDate(day: string): types.LocalDate {
  let date = cache.get(day);
  if (date === undefined) {
    if (cache.size >= MAX_CACHED) cache.clear();
    date = types.LocalDate.fromString(day);
    cache.set(day, date);
  }
  return date;
}
