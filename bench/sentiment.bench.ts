/**
 * Sentiment: how right and how fast, for the Reddit model and for VADER.
 *
 *   npm run bench:sentiment [-- seconds-per-speed-row]
 *
 * Accuracy:
 * - GoEmotions dev (human-labelled Reddit comments, never fitted on):
 *   three-class accuracy, macro-F1 and the confusion matrix. The Reddit model
 *   labels by its most probable class; VADER by the ±0.05 rule.
 * - The VADER paper's human-rated sets (tweets, movie reviews, Amazon, NYT):
 *   Pearson r of the score with the mean human rating, and three-class
 *   accuracy against the rating with the ±0.05 rule (rating / 4).
 * Speed, one thread, after a warm-up, best of ten rounds, on real Reddit
 * events as the pipeline reads them: recorded comments (the targets are
 * judged on these: most of a stream, mean about 90 characters, median 31),
 * recorded submissions (title and self-text), and GoEmotions comments:
 * - the sentiment step alone, on the prepared text;
 * - the whole per-event NLP (prepare, language, sentiment, keywords, mentions).
 * Also the model file's size and the time to load it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { analyzeRedditText } from '@app/nlp/domain/analysis';
import { formatConfusion, parseLabelledTsv } from '@app/nlp/domain/classification-metrics';
import { RedditSentimentScorer } from '@app/nlp/domain/reddit-model/reddit-sentiment.scorer';
import { prepareRedditText } from '@app/nlp/domain/reddit-text';
import { evaluateOnComments } from '@app/nlp/domain/sentiment-evaluation';
import { labelFor, type SentimentScorer } from '@app/nlp/domain/sentiment';
import { humanLabel, parseGroundTruth, pearsonCorrelation } from '@app/nlp/domain/vader/evaluation';
import { VaderSentimentScorer } from '@app/nlp/domain/vader/vader-sentiment.scorer';
import { DEFAULT_MODEL_FILE, loadSentimentModel } from '@app/nlp/sentiment-model.file';
import { percentile, table } from './support/report';
import { recordedRedditEvents } from './support/reddit-texts';

const SECONDS_PER_ROW = Number(process.argv.slice(2).find((arg) => /^\d/.test(arg)) ?? 3);
const SHARED = resolve(__dirname, '../../shared/data/sentiment');
const HUMAN_RATED = [
  ['tweets', 'tweets_GroundTruth.txt'],
  ['movie reviews', 'movieReviewSnippets_GroundTruth.txt'],
  ['Amazon reviews', 'amazonReviewSnippets_GroundTruth.txt'],
  ['NYT editorials', 'nytEditorialSnippets_GroundTruth.txt'],
] as const;
const TARGETS = { devAccuracy: 0.74, devMacroF1: 0.72, tweetsPearson: 0.86 };
const SPEED_TARGETS = { sentiment: 100_000, nlp: 30_000 };

let sink = 0;

const verdict = (ok: boolean): string => (ok ? 'PASS' : 'BELOW');

const ROUNDS = 10;

/**
 * Docs per second of `fn` over `texts`: two warm-up passes, then ROUNDS
 * rounds of whole passes sharing SECONDS_PER_ROW; the best round counts.
 * The stack's services share the two cores, and a round they interrupt
 * measures them, not this code.
 */
function docsPerSecond<T>(texts: readonly T[], fn: (text: T) => number): number {
  for (let pass = 0; pass < 2; pass++) for (const text of texts) sink += fn(text);
  const budget = BigInt(Math.round((SECONDS_PER_ROW / ROUNDS) * 1e9));
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    let elapsed = 0n;
    let docs = 0;
    while (elapsed < budget) {
      for (const text of texts) sink += fn(text);
      docs += texts.length;
      elapsed = process.hrtime.bigint() - started;
    }
    best = Math.max(best, docs / (Number(elapsed) / 1e9));
  }
  return best;
}

function lengths(texts: readonly string[]): string {
  const sorted = texts.map((text) => text.length).sort((a, b) => a - b);
  const mean = sorted.reduce((sum, n) => sum + n, 0) / sorted.length;
  return `${texts.length.toLocaleString('en')} texts, mean ${mean.toFixed(0)} chars, median ${percentile(sorted, 50)}`;
}

interface SpeedRow {
  readonly corpus: string;
  readonly sentiment: number;
  readonly nlp: number;
}

const JUDGED_CORPUS = 'recorded comments';

/**
 * In a child process: docs/s of one scorer alone, so the JIT sees one scorer
 * class at every call site, as in a server (measured in one process, the
 * second scorer made the first look up to twice as slow).
 */
function measureSpeed(scorerName: 'reddit' | 'vader'): SpeedRow[] {
  const scorer: SentimentScorer =
    scorerName === 'reddit'
      ? new RedditSentimentScorer(loadSentimentModel(null))
      : new VaderSentimentScorer();
  const recorded = recordedRedditEvents();
  const dev = parseLabelledTsv(readFileSync(resolve(SHARED, 'goemotions/dev.tsv'), 'utf8'));
  const corpora = [
    [JUDGED_CORPUS, recorded.comments],
    ['recorded submissions', recorded.submissions],
    ['GoEmotions', dev.map((row) => ({ title: null, body: row.text }))],
  ] as const;
  return corpora.map(([corpus, events]) => {
    // The sentiment step reads what the pipeline hands it: title and body, prepared.
    const prepared = events
      .map((event) =>
        [prepareRedditText(event.title).text, prepareRedditText(event.body).text]
          .filter((part): part is string => part !== null)
          .join('\n'),
      )
      .filter((text) => text !== '');
    return {
      corpus,
      sentiment: docsPerSecond(prepared, (text) => scorer.score(text)?.score ?? 0),
      nlp: docsPerSecond(events, (event) => analyzeRedditText(event, scorer).keywords.length),
    };
  });
}

function speedInChild(scorerName: 'reddit' | 'vader'): SpeedRow[] {
  const child = spawnSync(
    process.execPath,
    [
      require.resolve('ts-node/dist/bin'),
      '-r',
      'tsconfig-paths/register',
      '--transpile-only',
      __filename,
      String(SECONDS_PER_ROW),
      '--speed',
      scorerName,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], cwd: resolve(__dirname, '..') },
  );
  if (child.status !== 0) throw new Error(`the ${scorerName} speed run failed`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '[]') as SpeedRow[];
}

function main(): void {
  const speedOnly = process.argv.indexOf('--speed');
  if (speedOnly >= 0) {
    const rows = measureSpeed(process.argv[speedOnly + 1] === 'vader' ? 'vader' : 'reddit');
    console.log(JSON.stringify(rows));
    return;
  }
  const loadStarted = process.hrtime.bigint();
  const model = loadSentimentModel(null);
  const loadMs = Number(process.hrtime.bigint() - loadStarted) / 1e6;
  const reddit = new RedditSentimentScorer(model);
  const vader = new VaderSentimentScorer();
  const scorers: [string, SentimentScorer][] = [
    [`reddit (${model.id})`, reddit],
    ['vader', vader],
  ];

  console.log(`Sentiment benchmark: node ${process.version}, one thread.`);
  console.log(
    `Model ${model.id}: ${statSync(DEFAULT_MODEL_FILE).size.toLocaleString('en')} bytes on disk, ` +
      `loaded in ${loadMs.toFixed(1)} ms; ${model.features.hashBits}-bit hashed words, bigrams and ` +
      `character 4-grams (weight ${model.features.charGramWeight}) + VADER; ` +
      `L2 ${model.provenance.l2}, ${model.provenance.iterations} L-BFGS iterations on ` +
      `${model.provenance.examples.toLocaleString('en')} comments.`,
  );

  // ------------------------------------------------------------ accuracy
  const dev = parseLabelledTsv(readFileSync(resolve(SHARED, 'goemotions/dev.tsv'), 'utf8'));
  console.log(
    `\nGoEmotions dev: ${dev.length.toLocaleString('en')} human-labelled Reddit comments`,
  );
  const devRows: string[][] = [['scorer', 'accuracy', 'macro-F1', 'F1 neg', 'F1 neu', 'F1 pos']];
  const reports = scorers.map(([name, scorer]) => [name, evaluateOnComments(scorer, dev)] as const);
  for (const [name, report] of reports) {
    devRows.push([
      name,
      report.accuracy.toFixed(4),
      report.macroF1.toFixed(4),
      ...report.f1.map((f) => f.toFixed(3)),
    ]);
  }
  console.log(table(devRows));
  for (const [name, report] of reports) {
    console.log(`\n  confusion, ${name} (rows: human label)`);
    for (const line of formatConfusion(report)) console.log(`    ${line}`);
  }
  const redditDev = reports[0]![1];

  console.log(
    '\nHuman-rated sets of the VADER paper: Pearson r with the mean rating, 3-class accuracy',
  );
  const ratedRows: string[][] = [
    ['data set', 'items', 'reddit r', 'reddit acc', 'vader r', 'vader acc'],
  ];
  let tweetsPearson = Number.NaN;
  for (const [name, file] of HUMAN_RATED) {
    const items = parseGroundTruth(readFileSync(resolve(SHARED, 'vader', file), 'utf8'));
    const ratings = items.map((item) => item.rating);
    const cells: string[] = [name, items.length.toLocaleString('en')];
    for (const [, scorer] of scorers) {
      const results = items.map((item) => scorer.score(item.text));
      const scores = results.map((result) => result?.score ?? 0);
      const agree = results.filter(
        (result, i) => (result?.label ?? labelFor(0)) === humanLabel(ratings[i]!),
      ).length;
      const r = pearsonCorrelation(scores, ratings);
      if (scorer === reddit && name === 'tweets') tweetsPearson = r;
      cells.push(r.toFixed(3), (agree / items.length).toFixed(3));
    }
    ratedRows.push(cells);
  }
  console.log(table(ratedRows));
  console.log('  published VADER r: tweets 0.881, movie reviews 0.451, Amazon 0.565, NYT 0.492');

  // --------------------------------------------------------------- speed
  const recorded = recordedRedditEvents();
  console.log(
    `\nSpeed, one thread, best of ${ROUNDS} rounds in ${SECONDS_PER_ROW}s per row, after two warm-up passes;` +
      ' each scorer in a process of its own, as a server runs one',
  );
  console.log(`  recorded comments: ${lengths(recorded.comments.map((e) => e.body))}`);
  console.log(
    `  recorded submissions (title + self-text): ${lengths(recorded.submissions.map((e) => `${e.title}\n${e.body}`))}`,
  );
  console.log(`  GoEmotions dev comments: ${lengths(dev.map((row) => row.text))}`);
  const speedRows: string[][] = [['step', 'corpus', 'docs/s', 'µs/doc', 'target']];
  const judged = { sentiment: Number.NaN, nlp: Number.NaN };
  for (const scorerName of ['reddit', 'vader'] as const) {
    for (const row of speedInChild(scorerName)) {
      const isJudged = scorerName === 'reddit' && row.corpus === JUDGED_CORPUS;
      if (isJudged) Object.assign(judged, { sentiment: row.sentiment, nlp: row.nlp });
      const target = (goal: number, rate: number): string =>
        isJudged ? `${verdict(rate >= goal)} (${goal.toLocaleString('en')})` : '';
      for (const [step, rate, goal] of [
        ['sentiment alone', row.sentiment, SPEED_TARGETS.sentiment],
        ['whole NLP', row.nlp, SPEED_TARGETS.nlp],
      ] as const) {
        speedRows.push([
          `${step}, ${scorerName}`,
          row.corpus,
          Math.round(rate).toLocaleString('en'),
          (1e6 / rate).toFixed(2),
          target(goal, rate),
        ]);
      }
    }
  }
  console.log(table(speedRows));

  console.log('\nTargets (Reddit model)');
  console.log(
    table([
      ['figure', 'measured', 'target', ''],
      [
        'dev accuracy',
        redditDev.accuracy.toFixed(4),
        `>= ${TARGETS.devAccuracy}`,
        verdict(redditDev.accuracy >= TARGETS.devAccuracy),
      ],
      [
        'dev macro-F1',
        redditDev.macroF1.toFixed(4),
        `>= ${TARGETS.devMacroF1}`,
        verdict(redditDev.macroF1 >= TARGETS.devMacroF1),
      ],
      [
        'tweets Pearson r',
        tweetsPearson.toFixed(4),
        `>= ${TARGETS.tweetsPearson}`,
        verdict(tweetsPearson >= TARGETS.tweetsPearson),
      ],
      [
        'sentiment alone, docs/s (recorded comments)',
        Math.round(judged.sentiment).toLocaleString('en'),
        `>= ${SPEED_TARGETS.sentiment.toLocaleString('en')}`,
        verdict(judged.sentiment >= SPEED_TARGETS.sentiment),
      ],
      [
        'whole NLP, docs/s (recorded comments)',
        Math.round(judged.nlp).toLocaleString('en'),
        `>= ${SPEED_TARGETS.nlp.toLocaleString('en')}`,
        verdict(judged.nlp >= SPEED_TARGETS.nlp),
      ],
    ]),
  );
  if (sink === Number.MIN_VALUE) console.log(sink); // keeps the measured work observable
}

main();
