import {
  humanLabel,
  parseGroundTruth,
  pearsonCorrelation,
  threeClassAccuracy,
} from '@app/nlp/domain/vader/evaluation';

describe('ground-truth evaluation helpers', () => {
  it('parses tab-separated id, rating and text with CRLF line ends', () => {
    const items = parseGroundTruth('1\t2.7\tSo lucky.\r\n2\t-1.36\tDamn, running late\r\n\r\n');
    expect(items).toEqual([
      { id: '1', rating: 2.7, text: 'So lucky.' },
      { id: '2', rating: -1.36, text: 'Damn, running late' },
    ]);
  });

  it('keeps tabs inside the text', () => {
    expect(parseGroundTruth('7\t0\ta\tb')[0]?.text).toBe('a\tb');
  });

  it('labels human ratings with the ±0.05 rule on rating / 4', () => {
    // 0.2 / 4 = 0.05 -> positive; 0.19 / 4 = 0.0475 -> neutral; -0.2 / 4 = -0.05 -> negative
    expect(humanLabel(0.2)).toBe('positive');
    expect(humanLabel(0.19)).toBe('neutral');
    expect(humanLabel(-0.2)).toBe('negative');
  });

  it('computes Pearson r', () => {
    expect(pearsonCorrelation([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearsonCorrelation([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    // x = 1,2,3,4; y = 1,3,2,4: cov = 4 / 4, var x = var y = 5 / 4 -> r = 4 / 5
    expect(pearsonCorrelation([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
  });

  it('computes three-class accuracy', () => {
    // scores: pos, neutral, neg, pos; ratings: pos, neutral, pos, neutral -> 2 of 4 agree
    expect(threeClassAccuracy([0.5, 0, -0.5, 0.06], [2, 0.1, 1, 0])).toBe(0.5);
  });
});
