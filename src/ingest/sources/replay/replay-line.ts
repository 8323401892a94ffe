import { cutUnits } from '@app/common/text-cut';
import { type EventKind, type RedditEvent, subredditKey } from '@app/events/reddit-event';
import { normaliseRedditItem } from '@app/ingest/domain/reddit-normaliser';
import { type IngestReject } from '@app/ingest/sources/stream-source';
import { type DumpLine } from './dump-reader';

/** A dump line's fate: an event, a dead letter with its reason, or filtered out. */
export type LineOutcome =
  | { readonly kind: 'event'; readonly line: number; readonly event: RedditEvent }
  | { readonly kind: 'reject'; readonly line: number; readonly reject: IngestReject }
  | { readonly kind: 'skip'; readonly line: number };

/** What a replay keeps, and how it names its lines. */
export interface LineFilter {
  /** Subreddit keys to keep; null keeps every one. */
  readonly subreddits: ReadonlySet<string> | null;
  readonly kinds: ReadonlySet<EventKind>;
  readonly fromUtc: number | null;
  readonly toUtc: number | null;
  readonly streamId: string;
  readonly fileName: string;
  readonly maxLineBytes: number;
}

/** The raw line kept in a dead letter, cut to this many characters. */
const RAW_LIMIT = 4096;

/** Parses, filters and normalises one dump line. */
export function classifyLine(line: DumpLine, filter: LineFilter, ingestedUtc: number): LineOutcome {
  const at = line.lineNumber;
  if (line.kind === 'too-long') {
    return reject(
      filter,
      at,
      `line is longer than the limit of ${filter.maxLineBytes} bytes (${line.byteLength} bytes)`,
      line.head,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(line.text);
  } catch (error) {
    return reject(filter, at, `line is not valid JSON: ${(error as Error).message}`, line.text);
  }
  // Filtering by subreddit before validating keeps a replay of one subreddit
  // from dead-lettering every broken line of the others, and is cheaper.
  if (filter.subreddits !== null && typeof data === 'object' && data !== null) {
    const subreddit = (data as { subreddit?: unknown }).subreddit;
    if (typeof subreddit === 'string' && !filter.subreddits.has(subredditKey(subreddit))) {
      return { kind: 'skip', line: at };
    }
  }
  const result = normaliseRedditItem(null, data, {
    source: 'replay',
    streamId: filter.streamId,
    ingestedUtc,
  });
  if (!result.ok) return reject(filter, at, result.reason, line.text);
  const event = result.value;
  if (
    !filter.kinds.has(event.kind) ||
    (filter.fromUtc !== null && event.createdUtc < filter.fromUtc) ||
    (filter.toUtc !== null && event.createdUtc >= filter.toUtc)
  ) {
    return { kind: 'skip', line: at };
  }
  return { kind: 'event', line: at, event };
}

function reject(filter: LineFilter, line: number, reason: string, raw: string): LineOutcome {
  return {
    kind: 'reject',
    line,
    reject: {
      reason,
      raw: cutUnits(raw, RAW_LIMIT),
      position: `line ${line} of ${filter.fileName}`,
    },
  };
}
