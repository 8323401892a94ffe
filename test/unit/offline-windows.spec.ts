import { type RedditEvent } from '@app/events/reddit-event';
import { labelFor } from '@app/nlp/domain/sentiment';
import { VaderSentimentScorer } from '@app/nlp/domain/vader/vader-sentiment.scorer';
import {
  DEFAULT_DISORDERED_INPUT,
  disorderedInput,
  maxDisorderMs,
  partitionOf,
} from '../support/disordered-input';
import {
  diffWindows,
  expectedWindows,
  parseWindowSpec,
  parseWindowSpecs,
  type SentimentOf,
  serverSentimentOf,
  type StoredWindowRow,
  windowKey,
  type WindowRow,
  windowStartsFor,
} from '../support/offline-windows';

const at = (hhmmss: string): number => Date.parse(`2025-03-03T${hhmmss}Z`);

function event(
  fullname: string,
  subreddit: string,
  hhmmss: string,
  fields: Partial<RedditEvent> = {},
): RedditEvent {
  const kind = fullname.startsWith('t3_') ? 'submission' : 'comment';
  return {
    schemaVersion: 1,
    kind,
    id: fullname.slice(3),
    fullname,
    subreddit,
    author: 'someone',
    title: kind === 'submission' ? 'title' : null,
    body: 'body',
    bodyState: 'present',
    permalink: `/r/${subreddit}/`,
    url: null,
    score: 0,
    numComments: null,
    over18: false,
    linkId: null,
    parentId: null,
    createdUtc: at(hhmmss) / 1000,
    ingestedUtc: at(hhmmss) / 1000,
    source: 'synthetic',
    streamId: 'unit',
    ...fields,
  };
}

/** Sentiment chosen per event in the test, instead of scoring text. */
const sentiments = new Map<string, number | null>();
const sentimentOf: SentimentOf = (e: RedditEvent) => {
  const score = sentiments.get(e.fullname) ?? null;
  return score === null ? null : { score, label: labelFor(score) };
};

const stored = (rows: readonly WindowRow[]): StoredWindowRow[] =>
  rows.map((row) => ({ ...row, uniqueAuthorsExact: true, isFinal: false }));

describe('offline window specs', () => {
  it('parses tumbling and hopping specs', () => {
    expect(parseWindowSpecs('1m,5m/1m')).toEqual([
      { name: '1m', sizeMs: 60_000, slideMs: 60_000 },
      { name: '5m/1m', sizeMs: 300_000, slideMs: 60_000 },
    ]);
    expect(parseWindowSpec('30s')).toEqual({ name: '30s', sizeMs: 30_000, slideMs: 30_000 });
    expect(() => parseWindowSpec('5m/2m')).toThrow(/multiple of slide/);
    expect(() => parseWindowSpec('five minutes')).toThrow(/bad duration/);
  });

  it('puts an event in every window with start <= t < start + size, starts on the slide', () => {
    const [minute, hopping] = parseWindowSpecs('1m,5m/1m') as [
      ReturnType<typeof parseWindowSpec>,
      ReturnType<typeof parseWindowSpec>,
    ];
    expect(windowStartsFor(at('10:03:30'), minute)).toEqual([at('10:03:00')]);
    expect(windowStartsFor(at('10:03:30'), hopping)).toEqual(
      ['09:59:00', '10:00:00', '10:01:00', '10:02:00', '10:03:00'].map(at),
    );
    // On a boundary: the window ending exactly at t does not contain t.
    expect(windowStartsFor(at('10:03:00'), hopping)).toEqual(
      ['09:59:00', '10:00:00', '10:01:00', '10:02:00', '10:03:00'].map(at),
    );
    expect(windowStartsFor(at('10:03:00'), minute)).toEqual([at('10:03:00')]);
  });
});

describe('expectedWindows', () => {
  const e1 = event('t3_a1', 'alpha', '10:00:10', { author: 'x', score: 5 });
  const e2 = event('t1_a2', 'alpha', '10:00:50', { author: null, score: -3 });
  const e3 = event('t1_a3', 'alpha', '10:01:05', { author: 'x', score: 1 });
  const e4 = event('t1_a4', 'alpha', '10:00:20', { author: 'late', score: 100 });
  const e5 = event('t1_b1', 'beta', '10:00:00', { author: 'y', score: 2 });
  sentiments.set('t3_a1', 0.5);
  sentiments.set('t1_a2', -0.2);
  sentiments.set('t1_a3', 0.01);
  sentiments.set('t1_a4', 0.9);
  sentiments.set('t1_b1', null);

  const rows = expectedWindows(
    [e3, e1, e2, { ...e1, score: 999 }, e4, e5],
    parseWindowSpecs('1m,5m/1m'),
    { sentimentOf, exclude: new Set(['t1_a4']) },
  );
  const row = (subreddit: string, spec: string, start: string): WindowRow | undefined =>
    rows.find(
      (r) => windowKey(r) === windowKey({ subreddit, windowSpec: spec, windowStartMs: at(start) }),
    );

  it('aggregates a tumbling window: first delivery of each fullname, too-late ones excluded', () => {
    expect(row('alpha', '1m', '10:00:00')).toEqual({
      subreddit: 'alpha',
      windowSpec: '1m',
      windowStartMs: at('10:00:00'),
      windowEndMs: at('10:01:00'),
      submissions: 1,
      comments: 1,
      sentimentSum: 0.3,
      sentimentCount: 2,
      sentimentMean: 0.15,
      sentimentMin: -0.2,
      sentimentMax: 0.5,
      positive: 1,
      neutral: 0,
      negative: 1,
      // The redelivered e1 with another score is ignored.
      scoreSum: 2,
      // "x" and the deleted author.
      uniqueAuthors: 2,
      firstEventMs: at('10:00:10'),
      lastEventMs: at('10:00:50'),
    });
    expect(row('alpha', '1m', '10:01:00')).toMatchObject({
      comments: 1,
      neutral: 1,
      sentimentCount: 1,
      scoreSum: 1,
      uniqueAuthors: 1,
    });
  });

  it('leaves sentiment statistics empty when no event has a sentiment', () => {
    expect(row('beta', '1m', '10:00:00')).toMatchObject({
      comments: 1,
      sentimentSum: 0,
      sentimentCount: 0,
      sentimentMean: null,
      sentimentMin: null,
      sentimentMax: null,
      positive: 0,
      neutral: 0,
      negative: 0,
    });
  });

  it('counts an event in each of the hopping windows that contain it', () => {
    const hopping = rows.filter((r) => r.windowSpec === '5m/1m');
    expect(hopping.filter((r) => r.subreddit === 'alpha').map((r) => r.windowStartMs)).toEqual(
      ['09:56:00', '09:57:00', '09:58:00', '09:59:00', '10:00:00', '10:01:00'].map(at),
    );
    expect(hopping.filter((r) => r.subreddit === 'beta')).toHaveLength(5);
    expect(row('alpha', '5m/1m', '09:58:00')).toMatchObject({
      windowEndMs: at('10:03:00'),
      submissions: 1,
      comments: 2,
      sentimentCount: 3,
      scoreSum: 3,
      uniqueAuthors: 2,
      firstEventMs: at('10:00:10'),
      lastEventMs: at('10:01:05'),
    });
    expect(row('alpha', '5m/1m', '09:58:00')?.sentimentSum).toBeCloseTo(0.31, 10);
    expect(row('alpha', '5m/1m', '09:56:00')).toMatchObject({ submissions: 1, comments: 1 });
    expect(row('alpha', '5m/1m', '10:01:00')).toMatchObject({ submissions: 0, comments: 1 });
    expect(rows).toHaveLength(3 + 6 + 5);
  });

  it('sums sentiment in millionths, as the server does', () => {
    sentiments.set('t1_r1', 0.1234564);
    sentiments.set('t1_r2', 0.1234564);
    const [rounded] = expectedWindows(
      [event('t1_r1', 'gamma', '11:00:00'), event('t1_r2', 'gamma', '11:00:01')],
      parseWindowSpecs('1m'),
      { sentimentOf },
    );
    expect(rounded?.sentimentSum).toBe(0.246912);
    expect(rounded?.sentimentMin).toBe(0.1234564);
  });

  describe('diffWindows', () => {
    it('finds nothing when the stored rows are the expected ones, in any order', () => {
      expect(diffWindows(rows, stored([...rows].reverse()))).toEqual([]);
    });

    it('names missing, unexpected and different rows and the fields that differ', () => {
      const [first, second, ...rest] = stored(rows) as [StoredWindowRow, StoredWindowRow];
      const changed = {
        ...second,
        comments: second.comments + 1,
        sentimentSum: second.sentimentSum + 1e-4,
      };
      const extra = { ...first, subreddit: 'zeta' };
      const diff = diffWindows(rows, [changed, extra, ...rest]);
      expect(diff).toHaveLength(3);
      expect(diff).toContainEqual(
        expect.stringMatching(new RegExp(`^missing +${escapeRegExp(windowKey(first))}`)),
      );
      expect(diff).toContainEqual(expect.stringMatching(/^unexpected +zeta\|/));
      expect(diff).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^different +${escapeRegExp(windowKey(second))}: comments ${second.comments + 1} != ${second.comments}; sentimentSum`,
          ),
        ),
      );
    });

    it('tolerates sentiment differences below 1e-5 only', () => {
      const [first, ...rest] = stored(rows) as [StoredWindowRow];
      expect(
        diffWindows(rows, [{ ...first, sentimentSum: first.sentimentSum + 2e-6 }, ...rest]),
      ).toEqual([]);
      expect(diffWindows(rows, [{ ...first, sentimentMax: 0.4 }, ...rest])).toHaveLength(1);
      expect(diffWindows(rows, [{ ...first, sentimentMean: null }, ...rest])).toHaveLength(1);
    });

    it('requires exact author counts unless told otherwise', () => {
      const [first, ...rest] = stored(rows) as [StoredWindowRow];
      const estimated = [{ ...first, uniqueAuthorsExact: false }, ...rest];
      expect(diffWindows(rows, estimated)).toEqual([
        expect.stringMatching(/uniqueAuthorsExact false != true/),
      ]);
      expect(diffWindows(rows, estimated, { requireExactAuthors: false })).toEqual([]);
    });
  });
});

describe('disorderedInput', () => {
  const input = disorderedInput({ seed: 7, events: 800 });
  const { maxDisorderMs: bound, tooLatePlacement, startTimeMs, tooLateByMs } = input.options;

  it('is deterministic', () => {
    expect(disorderedInput({ seed: 7, events: 800 }).messages.map((m) => m.value)).toEqual(
      input.messages.map((m) => m.value),
    );
    expect(disorderedInput({ seed: 8, events: 800 }).messages[0]?.value).not.toBe(
      input.messages[0]?.value,
    );
  });

  it('delivers every on-time event once, plus exact duplicates of some, plus the too-late ones', () => {
    const onTime = input.messages.filter((m) => m.role === 'on-time');
    const duplicates = input.messages.filter((m) => m.role === 'duplicate');
    expect(new Set(onTime.map((m) => m.event.fullname)).size).toBe(800);
    expect(onTime).toHaveLength(800);
    expect(duplicates).toHaveLength(input.duplicates);
    expect(input.duplicates).toBeGreaterThan(800 * 0.02);
    expect(input.duplicates).toBeLessThan(800 * 0.1);
    const firstValue = new Map(onTime.map((m) => [m.event.fullname, m.value]));
    for (const d of duplicates) expect(d.value).toBe(firstValue.get(d.event.fullname));
    expect(input.messages).toHaveLength(800 + input.duplicates + input.tooLate.length);
    for (const m of input.messages) expect(m.key).toBe(m.event.subreddit);
  });

  it('keeps the disorder of on-time events within the bound, and actually disorders them', () => {
    const worst = maxDisorderMs(input.messages);
    expect(worst).toBeLessThanOrEqual(bound);
    expect(worst).toBeGreaterThan(bound / 2);
  });

  it('puts the too-late events, with fresh fullnames, far back in time and not early in the input', () => {
    expect(input.tooLate).toHaveLength(DEFAULT_DISORDERED_INPUT.tooLateEvents);
    const onTimeNames = new Set(input.onTime.map((e) => e.fullname));
    input.messages.forEach((m, position) => {
      if (m.role !== 'too-late') return;
      expect(input.tooLateFullnames.has(m.event.fullname)).toBe(true);
      expect(onTimeNames.has(m.event.fullname)).toBe(false);
      expect(position / input.messages.length).toBeGreaterThanOrEqual(tooLatePlacement[0] - 0.01);
      expect(m.event.createdUtc * 1000).toBeLessThan(startTimeMs - tooLateByMs / 2);
    });
    expect(input.tooLateFullnames.size).toBe(input.tooLate.length);
  });

  it('spreads the default subreddits over all 3 partitions', () => {
    const partitions = new Set(input.onTime.map((e) => partitionOf(e.subreddit, 3)));
    expect([...partitions].sort()).toEqual([0, 1, 2]);
  });

  it('gives the same windows from the disordered, duplicated messages as from the clean events', () => {
    const scorer = serverSentimentOf(new VaderSentimentScorer());
    const specs = parseWindowSpecs('1m,5m/1m');
    const fromMessages = expectedWindows(
      input.messages.map((m) => m.event),
      specs,
      { sentimentOf: scorer, exclude: input.tooLateFullnames },
    );
    expect(
      diffWindows(
        expectedWindows(input.onTime, specs, { sentimentOf: scorer }),
        stored(fromMessages),
      ),
    ).toEqual([]);
    const counted = (spec: string): number =>
      fromMessages
        .filter((r) => r.windowSpec === spec)
        .reduce((sum, r) => sum + r.submissions + r.comments, 0);
    expect(counted('1m')).toBe(800);
    expect(counted('5m/1m')).toBe(800 * 5);
    for (const r of fromMessages) {
      expect(r.positive + r.neutral + r.negative).toBe(r.sentimentCount);
      expect(r.uniqueAuthors).toBeGreaterThan(0);
      expect(r.uniqueAuthors).toBeLessThanOrEqual(r.submissions + r.comments);
    }
    // Real VADER sentiment: the generator's phrases are not all neutral.
    expect(fromMessages.some((r) => r.positive > 0 && r.negative > 0)).toBe(true);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
