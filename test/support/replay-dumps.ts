import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Test dumps built from real recorded Reddit API responses (the cassettes next
 * to the repository), written the way Pushshift / Arctic Shift dumps are: one
 * item `data` object per line, plus `retrieved_on`.
 */
export const CASSETTES_DIR = resolve(__dirname, '../../../shared/data/reddit/cassettes');
export const TEST_SUBREDDIT = 'testsub';

export interface RecordedItem {
  readonly kind: 't1' | 't3';
  readonly data: Readonly<Record<string, unknown>>;
}

function listingChildren(body: unknown, out: RecordedItem[]): void {
  if (Array.isArray(body)) {
    for (const part of body) listingChildren(part, out);
    return;
  }
  if (typeof body !== 'object' || body === null) return;
  const listing = body as { kind?: unknown; data?: { children?: unknown } };
  if (listing.kind !== 'Listing' || !Array.isArray(listing.data?.children)) return;
  for (const child of listing.data.children as { kind?: unknown; data?: unknown }[]) {
    if ((child.kind === 't1' || child.kind === 't3') && typeof child.data === 'object') {
      out.push({ kind: child.kind, data: child.data as Record<string, unknown> });
    }
  }
}

let cached: readonly RecordedItem[] | null = null;

/**
 * Every submission and comment in the cassettes, once each (listings overlap),
 * oldest first as in a dump, with the `<TEST_SUBREDDIT>` placeholder replaced.
 */
export function loadRecordedItems(): readonly RecordedItem[] {
  if (cached) return cached;
  if (!existsSync(CASSETTES_DIR)) {
    throw new Error(`recorded Reddit cassettes not found at ${CASSETTES_DIR}`);
  }
  const all: RecordedItem[] = [];
  for (const file of readdirSync(CASSETTES_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()) {
    const cassette = JSON.parse(
      readFileSync(join(CASSETTES_DIR, file), 'utf8').replaceAll(
        '<TEST_SUBREDDIT>',
        TEST_SUBREDDIT,
      ),
    ) as { interactions: { response: { body: { string: string } } }[] };
    for (const interaction of cassette.interactions) {
      let body: unknown;
      try {
        body = JSON.parse(interaction.response.body.string);
      } catch {
        continue; // not a JSON response
      }
      listingChildren(body, all);
    }
  }
  const seen = new Set<string>();
  const unique = all.filter((item) => {
    const fullname = `${item.kind}_${String(item.data.id)}`;
    if (seen.has(fullname)) return false;
    seen.add(fullname);
    return true;
  });
  unique.sort((a, b) => Number(a.data.created_utc) - Number(b.data.created_utc));
  if (unique.length < 100)
    throw new Error(`expected hundreds of recorded items, got ${unique.length}`);
  cached = unique;
  return unique;
}

/**
 * The recorded items with the variations real dumps have: some authors
 * "[deleted]", some created_utc as numeric strings (Arctic Shift) or with a
 * fraction, and a `retrieved_on` on every line.
 */
export function dumpVariants(items: readonly RecordedItem[]): RecordedItem[] {
  return items.map((item, index) => {
    const created = Number(item.data.created_utc);
    const data: Record<string, unknown> = { ...item.data, retrieved_on: created + 86_400 };
    if (index % 11 === 0) data.author = '[deleted]';
    if (index % 3 === 1) data.created_utc = String(created);
    if (index % 3 === 2) data.created_utc = created + 0.75;
    return { kind: item.kind, data };
  });
}

export type LineExpectation =
  | { readonly kind: 'event'; readonly item: RecordedItem }
  | { readonly kind: 'reject'; readonly reason: RegExp }
  | { readonly kind: 'blank' };

export interface DumpLineSpec {
  readonly text: string;
  readonly expect: LineExpectation;
}

export function itemLine(item: RecordedItem): DumpLineSpec {
  return { text: JSON.stringify(item.data), expect: { kind: 'event', item } };
}

/** One of each kind of broken line a real dump may hold, built from real items. */
export function malformedLines(items: readonly RecordedItem[]): DumpLineSpec[] {
  const submission = items.find((item) => item.kind === 't3');
  const comment = items.find((item) => item.kind === 't1');
  if (!submission || !comment) throw new Error('the cassettes hold no submission or no comment');
  const noCreated: Record<string, unknown> = { ...submission.data };
  delete noCreated.created_utc;
  const noLinkId: Record<string, unknown> = { ...comment.data };
  delete noLinkId.link_id;
  return [
    { text: '{"id": "abc", "subreddit": ', expect: { kind: 'reject', reason: /not valid JSON/ } },
    { text: 'hello, world', expect: { kind: 'reject', reason: /not valid JSON/ } },
    { text: '[1, 2, 3]', expect: { kind: 'reject', reason: /not a JSON object/ } },
    { text: '42', expect: { kind: 'reject', reason: /not a JSON object/ } },
    {
      text: JSON.stringify({ ...noCreated, id: 'zzzz1', name: 't3_zzzz1' }),
      expect: { kind: 'reject', reason: /created_utc is missing/ },
    },
    {
      text: JSON.stringify({ ...noLinkId, id: 'zzzz2', name: 't1_zzzz2' }),
      expect: { kind: 'reject', reason: /comment has no link_id/ },
    },
  ];
}

/** A line longer than `bytes`, otherwise a valid item. */
export function overLongLine(item: RecordedItem, bytes: number): DumpLineSpec {
  const padding = 'x'.repeat(bytes);
  return {
    text: JSON.stringify({ ...item.data, id: 'zzzz3', name: undefined, body: padding }),
    expect: { kind: 'reject', reason: /longer than the limit/ },
  };
}

/**
 * The recorded items `copies` times over, each copy with fresh ids (`<id><tag><copy>`),
 * `spacingS` seconds apart from `startUtc`: as many distinct real items as a test needs.
 */
export function retimed(
  startUtc: number,
  spacingS: number,
  copies: number,
  tag: string,
): RecordedItem[] {
  const items = loadRecordedItems();
  const out: RecordedItem[] = [];
  for (let copy = 0; copy < copies; copy++) {
    for (const item of items) {
      const id = `${String(item.data.id)}${tag}${copy}`;
      const data: Record<string, unknown> = {
        ...item.data,
        id,
        name: `${item.kind}_${id}`,
        created_utc: startUtc + out.length * spacingS,
      };
      out.push({ kind: item.kind, data });
    }
  }
  return out;
}

export interface BuiltDump {
  readonly lines: readonly DumpLineSpec[];
  readonly text: string;
}

/**
 * Lays the items out one per line, mixing in malformed and blank lines every
 * few items, so rejects sit at known line numbers among real data.
 */
export function buildDump(
  items: readonly RecordedItem[],
  options: {
    readonly extra?: readonly DumpLineSpec[];
    readonly every?: number;
    readonly crlf?: boolean;
    readonly finalNewline?: boolean;
  } = {},
): BuiltDump {
  const extra = [...(options.extra ?? [])];
  const every = options.every ?? 37;
  const lines: DumpLineSpec[] = [];
  items.forEach((item, index) => {
    if (index > 0 && index % every === 0) {
      const next = extra.shift();
      if (next) lines.push(next);
      else lines.push({ text: index % 2 === 0 ? '' : '   ', expect: { kind: 'blank' } });
    }
    lines.push(itemLine(item));
  });
  lines.push(...extra);
  const newline = options.crlf ? '\r\n' : '\n';
  const text =
    lines.map((line) => line.text).join(newline) + (options.finalNewline === false ? '' : newline);
  return { lines, text };
}

export function expectedEvents(dump: BuiltDump): { line: number; item: RecordedItem }[] {
  const out: { line: number; item: RecordedItem }[] = [];
  dump.lines.forEach((line, index) => {
    if (line.expect.kind === 'event') out.push({ line: index + 1, item: line.expect.item });
  });
  return out;
}

export function expectedRejects(dump: BuiltDump): { line: number; reason: RegExp }[] {
  const out: { line: number; reason: RegExp }[] = [];
  dump.lines.forEach((line, index) => {
    if (line.expect.kind === 'reject') out.push({ line: index + 1, reason: line.expect.reason });
  });
  return out;
}

/** The fields an event must carry, derived from the recorded item directly (not via the normaliser). */
export function fieldsOf(item: RecordedItem): Record<string, unknown> {
  const d = item.data;
  const isSubmission = item.kind === 't3';
  return {
    kind: isSubmission ? 'submission' : 'comment',
    id: d.id,
    fullname: `${item.kind}_${String(d.id)}`,
    subreddit: String(d.subreddit).toLowerCase(),
    author: d.author === '[deleted]' ? null : d.author,
    title: isSubmission ? d.title : null,
    permalink:
      typeof d.permalink === 'string'
        ? d.permalink
        : `/r/${String(d.subreddit).toLowerCase()}/comments/${String(d.link_id).slice(3)}/_/${String(d.id)}/`,
    url: isSubmission ? d.url : null,
    score: d.score,
    numComments: isSubmission ? d.num_comments : null,
    over18: d.over_18 === true,
    linkId: isSubmission ? null : d.link_id,
    parentId: isSubmission ? null : d.parent_id,
    createdUtc: Math.floor(Number(d.created_utc)),
    source: 'replay',
  };
}

export function tempDir(prefix: string): { readonly dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeDump(dir: string, name: string, text: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Compresses with the real zstd CLI, as the dumps are (a long window, like --long=31 but cheaper). */
export function zstdCompress(source: string, target: string, args: readonly string[] = []): string {
  execFileSync('zstd', ['-q', '-f', '--long=27', ...args, source, '-o', target]);
  return target;
}
