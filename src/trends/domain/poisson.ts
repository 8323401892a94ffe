/**
 * The upper tail of a Poisson distribution, P(X >= k) for X ~ Poisson(lambda):
 * how surprising k events are when lambda were expected. Summed in log space
 * from k upwards (terms shrink fast past the mode), so counts of thousands
 * against small rates neither overflow nor lose the tail to rounding.
 */
export function poissonUpperTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  const logLambda = Math.log(lambda);
  let logTerm = k * logLambda - lambda - logFactorial(k);
  let sum = 0;
  for (let i = k; i < k + 10_000; i++) {
    const term = Math.exp(logTerm);
    sum += term;
    if (i > lambda && term < sum * 1e-12) break;
    logTerm += logLambda - Math.log(i + 1);
  }
  return Math.min(1, sum);
}

const LOG_FACTORIALS: number[] = [0];

/** ln(n!), exact sums up to 1024, Stirling's series beyond. */
export function logFactorial(n: number): number {
  if (n < 1024) {
    for (let i = LOG_FACTORIALS.length; i <= n; i++)
      LOG_FACTORIALS[i] = (LOG_FACTORIALS[i - 1] ?? 0) + Math.log(i);
    return LOG_FACTORIALS[n] ?? 0;
  }
  return n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n) + 1 / (12 * n);
}

/**
 * P(Z >= z) for a standard normal Z (Abramowitz and Stegun 7.1.26, absolute
 * error under 1.5e-7): the confidence of a shift measured in standard deviations.
 */
export function normalUpperTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erfc = poly * Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}
