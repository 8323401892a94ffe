/**
 * Sentiment accuracy and throughput on the VADER paper's ground truth, plus
 * long Reddit-style markdown bodies, single-threaded.
 *
 *   npx ts-node -r tsconfig-paths/register --transpile-only bench/sentiment.bench.ts [seconds-per-row]
 *
 * Accuracy: Pearson r against the mean human rating; three-class accuracy with
 * the ±0.05 rule on both sides (human: rating / 4). Throughput: two warm-up
 * passes, then whole passes until the time per row is spent.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is `export =`
import SentimentAnalyzer = require('natural/lib/natural/sentiment/SentimentAnalyzer');
import { WordTokenizer } from 'natural/lib/natural/tokenizers/regexp_tokenizer';
import { detectLanguage } from '@app/nlp/domain/language';
import { prepareRedditText } from '@app/nlp/domain/reddit-text';
import { normaliseValence } from '@app/nlp/domain/sentiment';
import {
  parseGroundTruth,
  pearsonCorrelation,
  type RatedText,
  threeClassAccuracy,
} from '@app/nlp/domain/vader/evaluation';
import {
  DEFAULT_MAX_CHARS,
  VaderSentimentScorer,
} from '@app/nlp/domain/vader/vader-sentiment.scorer';

const SECONDS_PER_ROW = Number(process.argv[2] ?? 1.5);
const DATA_DIR = resolve(__dirname, '../../shared/data/sentiment/vader');
const DATA_SETS = [
  ['tweets', 'tweets_GroundTruth.txt'],
  ['movie reviews', 'movieReviewSnippets_GroundTruth.txt'],
  ['Amazon reviews', 'amazonReviewSnippets_GroundTruth.txt'],
  ['NYT editorials', 'nytEditorialSnippets_GroundTruth.txt'],
] as const;

interface Row {
  readonly name: string;
  readonly items: number;
  readonly pearson?: number;
  readonly accuracy?: number;
  readonly docsPerSecond: number;
  readonly note?: string;
}

let sink = 0;

/** Docs per second of `score` over `texts`: warm-up, then whole passes for SECONDS_PER_ROW. */
function throughput(texts: readonly string[], score: (text: string) => number): number {
  for (let pass = 0; pass < 2; pass++) for (const text of texts) sink += score(text);
  const budgetNs = BigInt(Math.round(SECONDS_PER_ROW * 1e9));
  const started = process.hrtime.bigint();
  let elapsed = 0n;
  let docs = 0;
  while (elapsed < budgetNs) {
    for (const text of texts) sink += score(text);
    docs += texts.length;
    elapsed = process.hrtime.bigint() - started;
  }
  return docs / (Number(elapsed) / 1e9);
}

function accuracyRow(
  name: string,
  items: readonly RatedText[],
  score: (text: string) => number,
  note?: string,
): Row {
  const texts = items.map((item) => item.text);
  const ratings = items.map((item) => item.rating);
  const scores = texts.map(score);
  return {
    name,
    items: items.length,
    pearson: pearsonCorrelation(scores, ratings),
    accuracy: threeClassAccuracy(scores, ratings),
    docsPerSecond: throughput(texts, score),
    note,
  };
}

/** natural's AFINN-165 analyzer, the way the first scorer used it. */
function afinnScorer(): (text: string) => number {
  const tokenizer = new WordTokenizer();
  const analyzer = new SentimentAnalyzer('English', undefined, 'afinn');
  return (text) => {
    const tokens = tokenizer.tokenize(text.toLowerCase());
    if (tokens.length === 0) return 0;
    return normaliseValence(analyzer.getSentiment(tokens) * tokens.length);
  };
}

/**
 * A Reddit-style markdown body of about `bytes` characters built from the
 * tweets: paragraphs with emphasis, links, URLs, a quote, a code block, a list
 * and entities, the way real long posts look.
 */
function redditBody(tweets: readonly string[], bytes: number, offset: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = offset; length < bytes; i++) {
    const tweet = tweets[i % tweets.length] ?? '';
    let part: string;
    switch (i % 8) {
      case 0:
        part = `## ${tweet}`;
        break;
      case 1:
        part = `&gt; ${tweet}`;
        break;
      case 2:
        part = `**${tweet}** see [this thread](https://www.reddit.com/r/test/comments/abc/x/) &amp; more`;
        break;
      case 3:
        part = `- ${tweet}\n- *${tweet}*`;
        break;
      case 4:
        part = '```\nconst x = compute(y); // ' + tweet + '\n```';
        break;
      case 5:
        part = `${tweet} https://example.com/a?b=${i} ^(edit: typo)`;
        break;
      default:
        part = tweet;
    }
    parts.push(part);
    length += part.length + 2;
  }
  return parts.join('\n\n');
}

function longBodyRow(
  name: string,
  bodies: readonly string[],
  scorer: VaderSentimentScorer,
): { row: Row; microseconds: number } {
  let truncated = 0;
  let preparedChars = 0;
  const options = { maxChars: scorer.maxChars };
  const pipeline = (body: string): number => {
    const prepared = prepareRedditText(body, options).text;
    if (prepared === null || detectLanguage(prepared) === 'non-en') return 0;
    return scorer.score(prepared)?.score ?? 0;
  };
  for (const body of bodies) {
    const prepared = prepareRedditText(body, options).text ?? '';
    preparedChars += prepared.length;
    if (scorer.score(prepared)?.truncated) truncated++;
  }
  const docsPerSecond = throughput(bodies, pipeline);
  const averageRaw = bodies.reduce((sum, body) => sum + body.length, 0) / bodies.length;
  const averagePrepared = Math.round(preparedChars / bodies.length);
  const budget = `budget ${scorer.maxChars.toLocaleString('en')} chars`;
  const verdict =
    truncated === bodies.length
      ? 'truncated'
      : truncated === 0
        ? 'not truncated'
        : `${truncated}/${bodies.length} truncated`;
  return {
    row: {
      name,
      items: bodies.length,
      docsPerSecond,
      note: `${Math.round(averageRaw).toLocaleString('en')} chars raw -> ${averagePrepared.toLocaleString('en')} prepared (markdown stripped, stops past the budget); ${budget}: ${verdict}`,
    },
    microseconds: 1e6 / docsPerSecond,
  };
}

function main(): void {
  const scorer = new VaderSentimentScorer();
  const vader = (text: string): number => scorer.score(text)?.score ?? 0;
  const rows: Row[] = [];
  const datasets = new Map<string, RatedText[]>();
  for (const [name, file] of DATA_SETS) {
    const items = parseGroundTruth(readFileSync(resolve(DATA_DIR, file), 'utf8'));
    datasets.set(name, items);
    rows.push(accuracyRow(`VADER  ${name}`, items, vader));
  }
  const tweets = datasets.get('tweets') ?? [];
  rows.push(
    accuracyRow(
      'VADER  tweets, per-event pipeline',
      tweets,
      (text) => {
        const prepared = prepareRedditText(text).text;
        if (prepared === null || detectLanguage(prepared) === 'non-en') return 0;
        return scorer.score(prepared)?.score ?? 0;
      },
      'prepareRedditText + detectLanguage + score; non-English counted as 0',
    ),
  );
  rows.push(accuracyRow('AFINN  tweets (natural, reference)', tweets, afinnScorer()));

  const tweetTexts = tweets.map((item) => item.text);
  const long: { row: Row; microseconds: number }[] = [];
  for (const [label, bytes, count] of [
    ['5 KB', 5_000, 200],
    ['50 KB', 50_000, 40],
  ] as const) {
    const bodies = Array.from({ length: count }, (_, i) => redditBody(tweetTexts, bytes, i * 37));
    long.push(longBodyRow(`VADER  Reddit markdown bodies, ${label}`, bodies, scorer));
  }

  printTable(rows, long);
  if (sink === Number.MIN_VALUE) console.log(sink); // keeps the scored work observable
}

function printTable(
  rows: readonly Row[],
  long: readonly { row: Row; microseconds: number }[],
): void {
  const header = [
    'scorer / data set',
    'items',
    'Pearson r',
    '3-class acc',
    'docs/s',
    'µs/doc',
    'note',
  ];
  const lines: string[][] = [];
  const format = (row: Row, microseconds: number): string[] => [
    row.name,
    row.items.toLocaleString('en'),
    row.pearson === undefined ? '-' : row.pearson.toFixed(3),
    row.accuracy === undefined ? '-' : row.accuracy.toFixed(3),
    Math.round(row.docsPerSecond).toLocaleString('en'),
    microseconds.toFixed(microseconds < 10 ? 2 : 1),
    row.note ?? '',
  ];
  for (const row of rows) lines.push(format(row, 1e6 / row.docsPerSecond));
  for (const { row, microseconds } of long) lines.push(format(row, microseconds));
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => (line[column] ?? '').length)),
  );
  const render = (cells: readonly string[]): string =>
    cells
      .map((cell, column) =>
        column >= 1 && column <= 5
          ? cell.padStart(widths[column] ?? 0)
          : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  console.log(
    `Sentiment benchmark: node ${process.version}, single thread, ${SECONDS_PER_ROW}s timed per row after 2 warm-up passes; ` +
      `character budget ${DEFAULT_MAX_CHARS.toLocaleString('en')}.`,
  );
  console.log(render(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const line of lines) console.log(render(line));
  console.log('Published VADER r: tweets 0.881, movie reviews 0.451, Amazon 0.565, NYT 0.492.');
}

main();
