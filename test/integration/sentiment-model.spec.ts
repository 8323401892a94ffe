import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseLabelledTsv } from '@app/nlp/domain/classification-metrics';
import { evaluateOnComments } from '@app/nlp/domain/sentiment-evaluation';
import { parseGroundTruth, pearsonCorrelation } from '@app/nlp/domain/vader/evaluation';
import { serverSentimentScorer } from '../support/sentiment-scorer';

/**
 * The shipped Reddit model on data it was not fitted on (shared test data,
 * read at run time): human-labelled Reddit comments (GoEmotions dev split)
 * and, so it does not collapse on other social text, the human-rated tweets
 * of the VADER paper. Deterministic: no timing here.
 */
const SHARED = resolve(__dirname, '../../../shared/data/sentiment');

describe('the shipped Reddit sentiment model', () => {
  const scorer = serverSentimentScorer();

  it('labels GoEmotions dev comments: accuracy >= 0.74, macro-F1 >= 0.72', () => {
    const rows = parseLabelledTsv(readFileSync(resolve(SHARED, 'goemotions/dev.tsv'), 'utf8'));
    expect(rows).toHaveLength(4_547);
    // Through the pipeline's own NLP, as a comment body would be analysed.
    const report = evaluateOnComments(scorer, rows);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.74);
    expect(report.macroF1).toBeGreaterThanOrEqual(0.72);
  });

  it('keeps Pearson r >= 0.86 with the human ratings of the VADER tweets', () => {
    const items = parseGroundTruth(
      readFileSync(resolve(SHARED, 'vader/tweets_GroundTruth.txt'), 'utf8'),
    );
    expect(items).toHaveLength(4_200);
    const scores = items.map((item) => scorer.score(item.text)?.score ?? 0);
    expect(
      pearsonCorrelation(
        scores,
        items.map((item) => item.rating),
      ),
    ).toBeGreaterThanOrEqual(0.86);
  });
});
