/** Seeded random draws for the detector tests: the same series every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A Poisson draw (Knuth's method: fine for the small rates of these tests). */
export function poisson(rate: number, random: () => number): number {
  const limit = Math.exp(-rate);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

export const MINUTE = 60_000;
export const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
export const minute = (i: number): number => T0 + i * MINUTE;
