import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mix, wordHash } from './word-hash';

/**
 * Word-level sentiment lexicons the Reddit model reads beside VADER, keyed by
 * the hash the feature extractor computes for a lower-cased word (so a lookup
 * needs no substring): polarity of ~25,000 English words (ML-SentiCon) and
 * polarity with subjectivity of ~1,500 adjectives (Pattern). Both ship with
 * `natural` as its "senticon" and "pattern" English vocabularies. Subjectivity
 * is what helps most with telling neutral comments from opinions.
 */
export interface WordLexicons {
  /** Both lexicons in one table: one probe per word on the hot path. */
  readonly table: LexiconTable;
  /** Words the polarity lexicon knows. */
  readonly polarityWords: number;
  /** Adjectives the subjectivity lexicon knows. */
  readonly adjectives: number;
  /** Names the lexicon content; a model records the digest it was trained with. */
  readonly digest: string;
}

/**
 * An open-addressing hash table from word hash to the two lexicons' values
 * (NaN where a lexicon lacks the word). Each slot is four 32-bit words in one
 * buffer (key, polarity, adjective polarity, adjective subjectivity), so a
 * lookup touches one cache line: with ~26,000 words the table does not stay
 * in a core's cache, and a Map or separate arrays cost several misses a word.
 */
export class LexiconTable {
  /** Per slot: the key as int32 (0: empty; a zero hash is stored as 1). */
  readonly keys: Int32Array;
  /** The same buffer as float32: values at slot * 4 + 1, 2, 3. */
  readonly values: Float32Array;
  private readonly mask: number;

  constructor(entries: number) {
    let size = 16;
    while (size < entries * 1.5) size *= 2;
    this.mask = size - 1;
    const buffer = new ArrayBuffer(size * 16);
    this.keys = new Int32Array(buffer);
    this.values = new Float32Array(buffer);
  }

  /** The offset of `hash`'s slot in `values` (values at +1, +2, +3), or -1. */
  find(hash: number): number {
    const key = hash === 0 ? 1 : hash;
    const keys = this.keys;
    let slot = mix(key) & this.mask;
    for (;;) {
      const stored = keys[slot * 4]!;
      if (stored === key) return slot * 4;
      if (stored === 0) return -1;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The offset for `hash`, claimed (with NaN values) if new. */
  claim(hash: number): number {
    const key = hash === 0 ? 1 : hash;
    let slot = mix(key) & this.mask;
    while (this.keys[slot * 4] !== 0 && this.keys[slot * 4] !== key) slot = (slot + 1) & this.mask;
    const offset = slot * 4;
    if (this.keys[offset] === 0) {
      this.keys[offset] = key;
      this.values.fill(NaN, offset + 1, offset + 4);
    }
    return offset;
  }
}

const SENTICON = 'natural/lib/natural/sentiment/English/senticon_en.json';
const PATTERN = 'natural/lib/natural/sentiment/English/pattern-sentiment-en.json';

let cached: WordLexicons | undefined;

/** The lexicons from the installed `natural` package, read once. */
export function loadWordLexicons(): WordLexicons {
  cached ??= buildWordLexicons(
    JSON.parse(readFileSync(require.resolve(SENTICON), 'utf8')) as Record<string, { pol: string }>,
    JSON.parse(readFileSync(require.resolve(PATTERN), 'utf8')) as Record<
      string,
      { polarity: string; subjectivity: string }
    >,
  );
  return cached;
}

export function buildWordLexicons(
  senticon: Readonly<Record<string, { pol: string }>>,
  pattern: Readonly<Record<string, { polarity: string; subjectivity: string }>>,
): WordLexicons {
  const senticonWords = Object.keys(senticon).sort();
  const patternWords = Object.keys(pattern).sort();
  const table = new LexiconTable(senticonWords.length + patternWords.length);
  const digest = createHash('sha256');
  let polarityWords = 0;
  let adjectives = 0;
  for (const word of senticonWords) {
    const value = Number(senticon[word]?.pol);
    if (!isSingleWord(word) || !Number.isFinite(value)) continue;
    table.values[table.claim(wordHash(word.toLowerCase())) + 1] = value;
    polarityWords++;
    digest.update(`s ${word} ${value}\n`);
  }
  for (const word of patternWords) {
    const entry = pattern[word];
    const polarity = Number(entry?.polarity);
    const subjectivity = Number(entry?.subjectivity);
    if (!isSingleWord(word) || !Number.isFinite(polarity) || !Number.isFinite(subjectivity)) {
      continue;
    }
    const offset = table.claim(wordHash(word.toLowerCase()));
    table.values[offset + 2] = polarity;
    table.values[offset + 3] = subjectivity;
    adjectives++;
    digest.update(`p ${word} ${polarity} ${subjectivity}\n`);
  }
  return { table, polarityWords, adjectives, digest: digest.digest('hex').slice(0, 12) };
}

/** Entries such as "a_lot" or "well-known" never match one word of the tokeniser. */
function isSingleWord(word: string): boolean {
  return /^[a-z0-9']+$/i.test(word);
}
