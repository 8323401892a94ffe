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
 * (NaN where a lexicon lacks the word), in typed arrays: a lookup is a few
 * array reads, where a Map costs several times more per word.
 */
export class LexiconTable {
  readonly keys: Int32Array;
  readonly used: Uint8Array;
  readonly polarity: Float32Array;
  readonly adjectivePolarity: Float32Array;
  readonly adjectiveSubjectivity: Float32Array;
  private readonly mask: number;

  constructor(entries: number) {
    let size = 16;
    while (size < entries * 2) size *= 2;
    this.mask = size - 1;
    this.keys = new Int32Array(size);
    this.used = new Uint8Array(size);
    this.polarity = new Float32Array(size).fill(NaN);
    this.adjectivePolarity = new Float32Array(size).fill(NaN);
    this.adjectiveSubjectivity = new Float32Array(size).fill(NaN);
  }

  /** The slot holding `hash`, or -1. */
  find(hash: number): number {
    let slot = mix(hash) & this.mask;
    while (this.used[slot] === 1) {
      if (this.keys[slot] === hash) return slot;
      slot = (slot + 1) & this.mask;
    }
    return -1;
  }

  /** The slot for `hash`, claimed if new. */
  claim(hash: number): number {
    let slot = mix(hash) & this.mask;
    while (this.used[slot] === 1 && this.keys[slot] !== hash) slot = (slot + 1) & this.mask;
    this.used[slot] = 1;
    this.keys[slot] = hash;
    return slot;
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
    table.polarity[table.claim(wordHash(word.toLowerCase()))] = value;
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
    const slot = table.claim(wordHash(word.toLowerCase()));
    table.adjectivePolarity[slot] = polarity;
    table.adjectiveSubjectivity[slot] = subjectivity;
    adjectives++;
    digest.update(`p ${word} ${polarity} ${subjectivity}\n`);
  }
  return { table, polarityWords, adjectives, digest: digest.digest('hex').slice(0, 12) };
}

/** Entries such as "a_lot" or "well-known" never match one word of the tokeniser. */
function isSingleWord(word: string): boolean {
  return /^[a-z0-9']+$/i.test(word);
}
