import {
  BOOSTER_DECREMENT,
  BOOSTER_INCREMENT,
  BOOSTER_WORDS,
  DAMPENER_PHRASES,
  DAMPENER_WORDS,
  LEXICON_OVERRIDES,
  NEGATION_WORDS,
  SENTIMENT_PHRASES,
} from './vader-rules';

// Word flags, one bit per role a word can play in the rules.
export const NEGATOR = 1 << 0;
export const NO = 1 << 1;
export const BUT = 1 << 2;
export const LEAST = 1 << 3;
export const AT_OR_VERY = 1 << 4;
export const NEVER = 1 << 5;
export const SO_OR_THIS = 1 << 6;
export const WITHOUT = 1 << 7;
export const DOUBT = 1 << 8;
export const OR_NOR = 1 << 9;
export const PHRASE_HEAD = 1 << 10;
export const DAMPENER_HEAD = 1 << 11;
/** Token-level: the token is ALL CAPS. */
export const CAPS = 1 << 12;

export interface Phrase {
  /** The words after the first one. */
  readonly rest: readonly string[];
  readonly valence: number;
}

/** Everything the rules need to know about one word, found with a single map lookup. */
export interface WordInfo {
  /** Lexicon valence; NaN when the word carries no sentiment of its own. */
  valence: number;
  /** Signed booster scalar for a positive valence; 0 when the word is not a booster. */
  booster: number;
  flags: number;
  phrases: Phrase[] | undefined;
  /** For "kind", "sort", "just": the second word of the dampening phrase. */
  dampenerTail: string | undefined;
}

/**
 * Fills `words` with everything the rules know about each word (keyed by
 * the lower-cased word):
 * lexicon valence, booster scalar, role flags and the phrases it starts.
 * `tokenise` splits a phrase the way text is split (reading `words` as it
 * stands, for emoticons), so phrases match tokens.
 */
export function buildWordTable(
  words: Map<string, WordInfo>,
  lexicon: ReadonlyMap<string, number>,
  tokenise: (phrase: string) => readonly string[],
): void {
  const info = (word: string): WordInfo => {
    let entry = words.get(word);
    if (!entry) {
      entry = { valence: NaN, booster: 0, flags: 0, phrases: undefined, dampenerTail: undefined };
      words.set(word, entry);
    }
    return entry;
  };
  const multiWord: [string, number][] = [];
  for (const [token, valence] of lexicon) {
    if (/\s/.test(token)) multiWord.push([token, valence]);
    else info(token).valence = valence;
  }
  for (const [word, valence] of LEXICON_OVERRIDES) info(word).valence = valence;
  // Boosters carry no sentiment of their own, even where the lexicon lists them.
  for (const word of BOOSTER_WORDS)
    Object.assign(info(word), { booster: BOOSTER_INCREMENT, valence: NaN });
  for (const word of DAMPENER_WORDS)
    Object.assign(info(word), { booster: BOOSTER_DECREMENT, valence: NaN });
  for (const word of NEGATION_WORDS) info(word).flags |= NEGATOR;
  const roles: [number, string[]][] = [
    [NO, ['no']],
    [BUT, ['but']],
    [LEAST, ['least']],
    [AT_OR_VERY, ['at', 'very']],
    [NEVER, ['never']],
    [SO_OR_THIS, ['so', 'this']],
    [WITHOUT, ['without']],
    [DOUBT, ['doubt']],
    [OR_NOR, ['or', 'nor']],
  ];
  for (const [flag, words] of roles) for (const word of words) info(word).flags |= flag;
  for (const [first, second] of DAMPENER_PHRASES) {
    const head = info(first);
    head.flags |= DAMPENER_HEAD;
    head.dampenerTail = second;
  }
  for (const [phrase, valence] of [...SENTIMENT_PHRASES, ...multiWord]) {
    // Tokenise the phrase the way text is tokenised, so "break a leg" matches "break leg".
    const keys = tokenise(phrase);
    if (keys.length < 2) continue;
    const first = keys[0] ?? '';
    const head = info(first);
    head.flags |= PHRASE_HEAD;
    (head.phrases ??= []).push({ rest: keys.slice(1), valence });
  }
  // Longest phrase first, so "kiss of death" wins over a shorter phrase with the same head.
  for (const entry of words.values()) entry.phrases?.sort((a, b) => b.rest.length - a.rest.length);
}
