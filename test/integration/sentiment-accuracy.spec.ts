import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  parseGroundTruth,
  pearsonCorrelation,
  threeClassAccuracy,
} from '@app/nlp/domain/vader/evaluation';
import { VaderSentimentScorer } from '@app/nlp/domain/vader/vader-sentiment.scorer';

/**
 * Accuracy against the human ratings published with the VADER paper (shared
 * test data, read at run time). Published VADER figures: tweets r = 0.881,
 * movies 0.451, Amazon 0.565, NYT 0.492. Deterministic: no timing here.
 */
const DATA_DIR = resolve(__dirname, '../../../shared/data/sentiment/vader');

const DATA_SETS = [
  { file: 'tweets_GroundTruth.txt', items: 4_200, minPearson: 0.87, minAccuracy: 0.88 },
  { file: 'movieReviewSnippets_GroundTruth.txt', items: 10_605, minPearson: 0.42 },
  { file: 'amazonReviewSnippets_GroundTruth.txt', items: 3_708, minPearson: 0.55 },
  { file: 'nytEditorialSnippets_GroundTruth.txt', items: 5_190, minPearson: 0.48 },
] as const;

describe('VADER accuracy on the paper ground truth', () => {
  const scorer = new VaderSentimentScorer();

  it.each(DATA_SETS)('$file: Pearson r >= $minPearson', (dataSet) => {
    const items = parseGroundTruth(readFileSync(resolve(DATA_DIR, dataSet.file), 'utf8'));
    expect(items).toHaveLength(dataSet.items);
    const ratings = items.map((item) => item.rating);
    const scores = items.map((item) => scorer.score(item.text)?.score ?? 0);

    expect(pearsonCorrelation(scores, ratings)).toBeGreaterThanOrEqual(dataSet.minPearson);
    if ('minAccuracy' in dataSet) {
      expect(threeClassAccuracy(scores, ratings)).toBeGreaterThanOrEqual(dataSet.minAccuracy);
    }
  });
});
