import { labelFor, type SentimentLabel } from '../sentiment';

/** One human-rated text from the VADER ground-truth files. */
export interface RatedText {
  readonly id: string;
  /** Mean human rating, -4 … +4. */
  readonly rating: number;
  readonly text: string;
}

/** Parses a ground-truth file: tab-separated id, mean rating, text; CRLF or LF line ends. */
export function parseGroundTruth(content: string): RatedText[] {
  const items: RatedText[] = [];
  for (const line of content.split(/\r?\n/)) {
    const firstTab = line.indexOf('\t');
    const secondTab = firstTab < 0 ? -1 : line.indexOf('\t', firstTab + 1);
    if (secondTab < 0) continue;
    const rating = Number(line.slice(firstTab + 1, secondTab));
    if (Number.isNaN(rating)) continue;
    items.push({ id: line.slice(0, firstTab), rating, text: line.slice(secondTab + 1) });
  }
  return items;
}

/** The human three-class label: the mean rating scaled to -1 … +1, then the product's ±0.05 rule. */
export function humanLabel(rating: number): SentimentLabel {
  return labelFor(rating / 4);
}

export function pearsonCorrelation(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n === 0) return NaN;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += xs[i] ?? 0;
    meanY += ys[i] ?? 0;
  }
  meanX /= n;
  meanY /= n;
  let covariance = 0;
  let varianceX = 0;
  let varianceY = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] ?? 0) - meanX;
    const dy = (ys[i] ?? 0) - meanY;
    covariance += dx * dy;
    varianceX += dx * dx;
    varianceY += dy * dy;
  }
  return covariance / Math.sqrt(varianceX * varianceY);
}

/** Share of items whose predicted label equals the human label. */
export function threeClassAccuracy(scores: readonly number[], ratings: readonly number[]): number {
  const n = Math.min(scores.length, ratings.length);
  let agree = 0;
  for (let i = 0; i < n; i++) {
    if (labelFor(scores[i] ?? 0) === humanLabel(ratings[i] ?? 0)) agree++;
  }
  return n === 0 ? NaN : agree / n;
}
