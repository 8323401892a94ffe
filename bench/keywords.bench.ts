/**
 * Keyword and mention extraction throughput on one core: docs/s over ~25k
 * realistic texts (VADER's tweets, Amazon, movie and NYT snippets, plus every
 * recorded Reddit comment and submission body), several passes after a warm-up.
 * Both run once per Reddit item on the streaming hot path; the target is
 * 50,000 docs/s each.
 *
 *   npx ts-node -r tsconfig-paths/register --transpile-only bench/keywords.bench.ts [passes]
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { extractKeywords } from '@app/nlp/domain/keywords';
import { extractMentions } from '@app/nlp/domain/mentions';
import { redditTexts } from './support/reddit-texts';

const SHARED = resolve(__dirname, '../../shared/data');
const VADER = join(SHARED, 'sentiment/vader');
const PASSES = Number(process.argv[2] ?? 5);
const TARGET = 50_000;

/** VADER ground-truth files: id, mean rating, text; tab-separated. */
function vaderTexts(file: string): string[] {
  return readFileSync(join(VADER, file), 'utf8')
    .split('\n')
    .map((line) => line.split('\t').slice(2).join('\t'))
    .filter((text) => text !== '');
}

function run(label: string, texts: readonly string[], fn: (text: string) => number): number {
  let sink = 0;
  for (const text of texts) sink += fn(text); // warm-up: JIT and caches
  const started = process.hrtime.bigint();
  for (let pass = 0; pass < PASSES; pass++) for (const text of texts) sink += fn(text);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const docs = texts.length * PASSES;
  const perSecond = Math.round((docs / ms) * 1000);
  const verdict = perSecond >= TARGET ? 'ok' : `BELOW the ${TARGET.toLocaleString('en')} target`;
  console.log(
    `${label.padEnd(36)} ${docs} docs in ${ms.toFixed(0)} ms: ${perSecond.toLocaleString('en')} docs/s (${verdict}; checksum ${sink})`,
  );
  return perSecond;
}

function main(): void {
  const corpora: Record<string, string[]> = {
    tweets: vaderTexts('tweets_GroundTruth.txt'),
    'amazon reviews': vaderTexts('amazonReviewSnippets_GroundTruth.txt'),
    'movie reviews': vaderTexts('movieReviewSnippets_GroundTruth.txt'),
    'nyt editorials': vaderTexts('nytEditorialSnippets_GroundTruth.txt'),
    'reddit bodies': redditTexts(),
  };
  const all = Object.values(corpora).flat();
  const chars = all.reduce((sum, text) => sum + text.length, 0);
  console.log(
    `${all.length} texts, mean ${(chars / all.length).toFixed(0)} chars; ` +
      Object.entries(corpora)
        .map(([name, texts]) => `${name} ${texts.length}`)
        .join(', '),
  );
  const keywords = (text: string): number => extractKeywords(text).length;
  const mentions = (text: string): number => {
    const m = extractMentions(text);
    return (
      m.subreddits.length + m.users.length + m.domains.length + m.tickers.length + m.hashtags.length
    );
  };
  run('keywords, all texts', all, keywords);
  run('mentions, all texts', all, mentions);
  const reddit = corpora['reddit bodies'] ?? [];
  run('keywords, reddit bodies', reddit, keywords);
  run('mentions, reddit bodies', reddit, mentions);
  // The slow path: only texts with something to look at (a link, /, $ or #).
  const withMarkers = all.filter((text) => /:\/\/|www\.|[/$#]/.test(text));
  run(`mentions, ${withMarkers.length} texts with markers`, withMarkers, mentions);
}

main();
