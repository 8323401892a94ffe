/** FNV-1a, 32-bit: what the feature extractor computes for a word as it reads its characters. */
export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 16777619;

/** The hash of a word that is already lower-case (as the extractor folds it). */
export function wordHash(word: string): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), FNV_PRIME);
  return hash;
}

/** The 32-bit finaliser of MurmurHash3: spreads FNV's low bits over the whole word. */
export function mix(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
