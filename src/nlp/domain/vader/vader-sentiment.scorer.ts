import { labelFor, normaliseValence, type Sentiment, SentimentScorer } from '../sentiment';
import { isEmojiStart, isSpace } from '../characters';
import { cutToBudget } from '../text-budget';
import { EMOJI_VALENCE } from './emoji-valence';
import { loadVaderLexicon } from './vader-lexicon';
import {
  AFTER_BUT_SCALAR,
  BEFORE_BUT_SCALAR,
  BOOSTER_DECREMENT,
  BOOSTER_DISTANCE_WEIGHTS,
  BOOSTER_INCREMENT,
  BOOSTER_WORDS,
  CAPS_INCREMENT,
  DAMPENER_PHRASES,
  DAMPENER_WORDS,
  EXCLAMATION_INCREMENT,
  LEXICON_OVERRIDES,
  MANY_QUESTIONS_INCREMENT,
  MAX_EXCLAMATIONS,
  NEGATION_SCALAR,
  NEGATION_WORDS,
  NEVER_SO_SCALAR,
  NORMALISATION_ALPHA,
  QUESTION_INCREMENT,
  SENTIMENT_PHRASES,
} from './vader-rules';

/** A VADER result: the compound score plus the shares of positive, neutral and negative tokens. */
export interface VaderSentiment extends Sentiment {
  readonly model: typeof VADER_MODEL;
  /** The compound score in [-1, 1]. */
  readonly score: number;
  readonly positive: number;
  readonly neutral: number;
  readonly negative: number;
  /** True when only the first `maxChars` characters were scored. */
  readonly truncated: boolean;
}

export interface VaderSentimentScorerOptions {
  /** Token -> valence (-4 … +4), lower-case keys. Defaults to the VADER lexicon file. */
  readonly lexicon?: ReadonlyMap<string, number>;
  /**
   * Character budget: longer texts are scored on their first `maxChars`
   * characters, cut at a word boundary. Bounds the cost of one event.
   */
  readonly maxChars?: number;
}

export const DEFAULT_MAX_CHARS = 10_000;
/** The model name VADER scores are stored under. */
export const VADER_MODEL = 'vader';

// Word flags, one bit per role a word can play in the rules.
const NEGATOR = 1 << 0;
const NO = 1 << 1;
const BUT = 1 << 2;
const LEAST = 1 << 3;
const AT_OR_VERY = 1 << 4;
const NEVER = 1 << 5;
const SO_OR_THIS = 1 << 6;
const WITHOUT = 1 << 7;
const DOUBT = 1 << 8;
const OR_NOR = 1 << 9;
const PHRASE_HEAD = 1 << 10;
const DAMPENER_HEAD = 1 << 11;
/** Token-level: the token is ALL CAPS. */
const CAPS = 1 << 12;

interface Phrase {
  /** The words after the first one. */
  readonly rest: readonly string[];
  readonly valence: number;
}

/** Everything the rules need to know about one word, found with a single map lookup. */
interface WordInfo {
  /** Lexicon valence; NaN when the word carries no sentiment of its own. */
  valence: number;
  /** Signed booster scalar for a positive valence; 0 when the word is not a booster. */
  booster: number;
  flags: number;
  phrases: Phrase[] | undefined;
  /** For "kind", "sort", "just": the second word of the dampening phrase. */
  dampenerTail: string | undefined;
}

const UNSCORABLE = new Set(['[deleted]', '[removed]']);

/**
 * VADER (Hutto & Gilbert, ICWSM 2014) implemented from the paper's rules:
 * lexicon valences adjusted for boosters and dampeners, ALL-CAPS emphasis,
 * negation within three words, contrastive "but", "least", "kind of",
 * idioms, exclamation and question marks, emoticons and emoji, summed and
 * normalised with x / sqrt(x^2 + 15).
 *
 * Built for the hot path: one pass over the characters to tokenise, one map
 * lookup per token, per-token state in typed arrays reused across calls.
 * score() is synchronous and runs to completion, so sharing those buffers
 * within one thread is safe; each worker thread needs its own instance.
 */
export class VaderSentimentScorer extends SentimentScorer {
  readonly maxChars: number;
  readonly model = VADER_MODEL;
  private readonly words = new Map<string, WordInfo>();

  // Per-token buffers, grown on demand and reused.
  private capacity = 0;
  private keys: string[] = [];
  private valences = new Float64Array(0);
  private boosters = new Float64Array(0);
  private flags = new Int32Array(0);
  private tokenCount = 0;
  private capsCount = 0;
  private exclamations = 0;
  private questions = 0;

  constructor(options: VaderSentimentScorerOptions = {}) {
    super();
    const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
    if (!Number.isInteger(maxChars) || maxChars < 1) {
      throw new RangeError(`maxChars must be a positive integer, got ${maxChars}`);
    }
    this.maxChars = maxChars;
    this.grow(64);
    this.buildWordTable(options.lexicon ?? loadVaderLexicon());
  }

  override score(text: string): VaderSentiment | null {
    const trimmed = text.trim();
    if (trimmed === '' || UNSCORABLE.has(trimmed)) return null;
    const budgeted = cutToBudget(trimmed, this.maxChars);
    this.tokenise(budgeted);
    return this.scoreTokens(budgeted !== trimmed);
  }

  // ---------------------------------------------------------------- setup

  private buildWordTable(lexicon: ReadonlyMap<string, number>): void {
    const info = (word: string): WordInfo => {
      let entry = this.words.get(word);
      if (!entry) {
        entry = { valence: NaN, booster: 0, flags: 0, phrases: undefined, dampenerTail: undefined };
        this.words.set(word, entry);
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
      const count = this.tokenise(phrase);
      if (count < 2) continue;
      const first = this.keys[0] ?? '';
      const head = info(first);
      head.flags |= PHRASE_HEAD;
      (head.phrases ??= []).push({ rest: this.keys.slice(1, count), valence });
    }
    // Longest phrase first, so "kiss of death" wins over a shorter phrase with the same head.
    for (const entry of this.words.values())
      entry.phrases?.sort((a, b) => b.rest.length - a.rest.length);
  }

  private grow(capacity: number): void {
    const valences = new Float64Array(capacity);
    const boosters = new Float64Array(capacity);
    const flags = new Int32Array(capacity);
    valences.set(this.valences);
    boosters.set(this.boosters);
    flags.set(this.flags);
    this.valences = valences;
    this.boosters = boosters;
    this.flags = flags;
    this.capacity = capacity;
  }

  // ------------------------------------------------------------ tokeniser

  /**
   * Splits on whitespace in one pass, strips punctuation around words (keeping
   * emoticons the lexicon knows), drops single characters ("a", "I"), splits
   * emoji into their own tokens, and counts "!" and "?". Fills the per-token
   * buffers and returns the token count.
   */
  private tokenise(text: string): number {
    const lower = text.toLowerCase();
    // Lower-casing can change the length for a few characters (e.g. "İ"); then slice per token.
    const sameLength = lower.length === text.length;
    this.tokenCount = 0;
    this.capsCount = 0;
    let exclamations = 0;
    let questions = 0;
    let start = -1;
    let hasUpper = false;
    let hasLower = false;
    let hasApostrophe = false;
    let hasCurly = false;
    const length = text.length;
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c === 32 || isSpace(c)) {
        if (start >= 0) {
          this.pushWord(
            text,
            lower,
            sameLength,
            start,
            i,
            hasUpper,
            hasLower,
            hasApostrophe,
            hasCurly,
          );
          start = -1;
        }
        continue;
      }
      if (c === 33) exclamations++;
      else if (c === 63) questions++;
      else if (isEmojiStart(c)) {
        const codePoint = text.codePointAt(i) ?? c;
        if (codePoint >= 0x1f000 || c < 0xd800) {
          if (start >= 0) {
            this.pushWord(
              text,
              lower,
              sameLength,
              start,
              i,
              hasUpper,
              hasLower,
              hasApostrophe,
              hasCurly,
            );
            start = -1;
          }
          i = endOfEmoji(text, i, codePoint) - 1;
          this.pushToken('', EMOJI_VALENCE.get(codePoint) ?? NaN, 0, 0);
          continue;
        }
      }
      if (start < 0) {
        start = i;
        hasUpper = false;
        hasLower = false;
        hasApostrophe = false;
        hasCurly = false;
      }
      if (c >= 97 && c <= 122) hasLower = true;
      else if (c >= 65 && c <= 90) hasUpper = true;
      else if (c === 39) hasApostrophe = true;
      else if (c >= 0x80) {
        if (c === 0x2019 || c === 0x2018) hasCurly = true;
        else if (sameLength && lower.charCodeAt(i) !== c) hasUpper = true;
        else if (isLowerCaseLetter(c)) hasLower = true;
      }
    }
    if (start >= 0) {
      this.pushWord(
        text,
        lower,
        sameLength,
        start,
        length,
        hasUpper,
        hasLower,
        hasApostrophe,
        hasCurly,
      );
    }
    this.exclamations = exclamations;
    this.questions = questions;
    return this.tokenCount;
  }

  private pushWord(
    text: string,
    lower: string,
    sameLength: boolean,
    start: number,
    end: number,
    hasUpper: boolean,
    hasLower: boolean,
    hasApostrophe: boolean,
    hasCurly: boolean,
  ): void {
    let from = start;
    let to = end;
    while (from < to && isPunctuation(text.charCodeAt(from))) from++;
    while (to > from && isPunctuation(text.charCodeAt(to - 1))) to--;
    let caps = hasUpper && !hasLower;
    let key: string;
    let info: WordInfo | undefined;
    if (to - from <= 2) {
      // Little or nothing left after stripping: an emoticon such as ":)", "<3" or ":-p"?
      const whole = sameLength ? lower.slice(start, end) : text.slice(start, end).toLowerCase();
      info = this.words.get(whole);
      if (info !== undefined && !Number.isNaN(info.valence)) {
        key = whole;
        // ":D" is a face, not shouting.
        if (from !== start || to !== end) caps = false;
      } else {
        if (to - from < 2) return;
        key = sameLength ? lower.slice(from, to) : text.slice(from, to).toLowerCase();
        info = this.words.get(key);
      }
    } else {
      key = sameLength ? lower.slice(from, to) : text.slice(from, to).toLowerCase();
      if (hasCurly) key = key.replace(/[\u2018\u2019]/g, "'");
      info = this.words.get(key);
    }
    let flags = caps ? CAPS : 0;
    if (caps) this.capsCount++;
    if (info === undefined) {
      if ((hasApostrophe || hasCurly) && key.includes("n't")) flags |= NEGATOR;
      this.pushToken(key, NaN, 0, flags);
    } else {
      this.pushToken(key, info.valence, info.booster, flags | info.flags);
    }
  }

  private pushToken(key: string, valence: number, booster: number, flags: number): void {
    const index = this.tokenCount;
    if (index === this.capacity) this.grow(this.capacity * 2);
    this.keys[index] = key;
    this.valences[index] = valence;
    this.boosters[index] = booster;
    this.flags[index] = flags;
    this.tokenCount = index + 1;
  }

  // -------------------------------------------------------------- scoring

  /** Phrases and two-word dampeners rewrite the tokens they cover before the word rules run. */
  private applyPhrases(count: number): void {
    const keys = this.keys;
    const valences = this.valences;
    const boosters = this.boosters;
    const flags = this.flags;
    for (let i = 0; i < count - 1; i++) {
      const f = flags[i] ?? 0;
      if ((f & (PHRASE_HEAD | DAMPENER_HEAD)) === 0) continue;
      const info = this.words.get(keys[i] ?? '');
      if (info === undefined) continue;
      if (f & PHRASE_HEAD && info.phrases) {
        const matched = matchPhrase(info.phrases, keys, i + 1, count);
        if (matched) {
          const last = i + matched.rest.length;
          for (let j = i; j < last; j++) clearToken(j, valences, boosters, flags);
          clearToken(last, valences, boosters, flags);
          // A phrase meaning "no sentiment" (bus stop) is treated like any neutral word.
          valences[last] = matched.valence === 0 ? NaN : matched.valence;
          i = last;
          continue;
        }
      }
      if (f & DAMPENER_HEAD && keys[i + 1] === info.dampenerTail) {
        clearToken(i, valences, boosters, flags);
        clearToken(i + 1, valences, boosters, flags);
        boosters[i + 1] = BOOSTER_DECREMENT;
        i++;
      }
    }
  }

  private scoreTokens(truncated: boolean): VaderSentiment {
    const count = this.tokenCount;
    if (count === 0) return vaderResult(0, 0, 1, 0, truncated);
    this.applyPhrases(count);
    const valences = this.valences;
    const flags = this.flags;
    const capsDiffer = this.capsCount > 0 && this.capsCount < count;

    let butIndex = -1;
    for (let i = 0; i < count; i++) {
      if ((flags[i] ?? 0) & BUT) {
        butIndex = i;
        break;
      }
    }

    let sum = 0;
    let positiveMass = 0;
    let negativeMass = 0;
    let neutralCount = 0;
    for (let i = 0; i < count; i++) {
      const base = valences[i] ?? NaN;
      let valence = 0;
      if (!Number.isNaN(base)) {
        valence = this.wordValence(i, base, count, capsDiffer);
        if (butIndex >= 0 && i !== butIndex) {
          valence *= i < butIndex ? BEFORE_BUT_SCALAR : AFTER_BUT_SCALAR;
        }
      }
      sum += valence;
      // Sentiment words weigh one more than their magnitude, neutral words weigh 1.
      if (valence > 0) positiveMass += valence + 1;
      else if (valence < 0) negativeMass += 1 - valence;
      else neutralCount++;
    }

    const emphasis = this.punctuationEmphasis();
    if (sum > 0) sum += emphasis;
    else if (sum < 0) sum -= emphasis;
    if (positiveMass > negativeMass) positiveMass += emphasis;
    else if (positiveMass < negativeMass) negativeMass += emphasis;

    const total = positiveMass + negativeMass + neutralCount;
    return vaderResult(
      normaliseValence(sum, NORMALISATION_ALPHA),
      positiveMass / total,
      neutralCount / total,
      negativeMass / total,
      truncated,
    );
  }

  /** The valence of the sentiment word at `i` after the rules that look at its neighbours. */
  private wordValence(i: number, base: number, count: number, capsDiffer: boolean): number {
    const valences = this.valences;
    const boosters = this.boosters;
    const flags = this.flags;
    const own = flags[i] ?? 0;
    let valence = base;

    // "no" next to a sentiment word negates it instead of counting as negative itself.
    if (own & NO && i < count - 1 && !Number.isNaN(valences[i + 1] ?? NaN)) valence = 0;
    const back1 = i > 0 ? (flags[i - 1] ?? 0) : 0;
    const back2 = i > 1 ? (flags[i - 2] ?? 0) : 0;
    const back3 = i > 2 ? (flags[i - 3] ?? 0) : 0;
    if (back1 & NO || back2 & NO || (back3 & NO && back1 & OR_NOR))
      valence = base * NEGATION_SCALAR;

    if (capsDiffer && own & CAPS && valence !== 0) {
      valence += valence > 0 ? CAPS_INCREMENT : -CAPS_INCREMENT;
    }

    // Up to three preceding words that are not sentiment words themselves.
    for (let distance = 0; distance < 3; distance++) {
      const j = i - distance - 1;
      if (j < 0) break;
      if (!Number.isNaN(valences[j] ?? NaN)) continue;
      const modifier = flags[j] ?? 0;
      const booster = boosters[j] ?? 0;
      if (booster !== 0) {
        let scalar = valence < 0 ? -booster : booster;
        if (capsDiffer && modifier & CAPS) scalar += valence > 0 ? CAPS_INCREMENT : -CAPS_INCREMENT;
        valence += scalar * (BOOSTER_DISTANCE_WEIGHTS[distance] ?? 1);
      }
      if (distance === 0) {
        if (modifier & NEGATOR) valence *= NEGATION_SCALAR;
      } else {
        // Words between the modifier and the sentiment word.
        const between = distance === 1 ? back1 : back1 | back2;
        if (modifier & NEVER && between & SO_OR_THIS) valence *= NEVER_SO_SCALAR;
        else if (modifier & WITHOUT && between & DOUBT) continue;
        else if (modifier & NEGATOR) valence *= NEGATION_SCALAR;
      }
    }

    // "least good" negates; "at least good" and "very least" do not.
    if (back1 & LEAST && Number.isNaN(valences[i - 1] ?? 0)) {
      if (i === 1 || (back2 & AT_OR_VERY) === 0) valence *= NEGATION_SCALAR;
    }
    return valence;
  }

  private punctuationEmphasis(): number {
    const exclamation = Math.min(this.exclamations, MAX_EXCLAMATIONS) * EXCLAMATION_INCREMENT;
    const questions = this.questions;
    // One question mark is a plain question; emphasis starts at two.
    let question = 0;
    if (questions > 3) question = MANY_QUESTIONS_INCREMENT;
    else if (questions > 1) question = questions * QUESTION_INCREMENT;
    return exclamation + question;
  }
}

function vaderResult(
  compound: number,
  positive: number,
  neutral: number,
  negative: number,
  truncated: boolean,
): VaderSentiment {
  return {
    model: VADER_MODEL,
    score: compound,
    label: labelFor(compound),
    positive,
    neutral,
    negative,
    lexicon: { compound, positive, neutral, negative },
    truncated,
  };
}

function clearToken(
  index: number,
  valences: Float64Array,
  boosters: Float64Array,
  flags: Int32Array,
): void {
  valences[index] = NaN;
  boosters[index] = 0;
  flags[index] = (flags[index] ?? 0) & CAPS;
}

function matchPhrase(
  phrases: readonly Phrase[],
  keys: readonly string[],
  from: number,
  count: number,
): Phrase | undefined {
  for (const phrase of phrases) {
    const rest = phrase.rest;
    if (from + rest.length > count) continue;
    let k = 0;
    while (k < rest.length && keys[from + k] === rest[k]) k++;
    if (k === rest.length) return phrase;
  }
  return undefined;
}

/** Index just past the emoji starting at `index`: modifiers, ZWJ sequences and flag pairs fold in. */
function endOfEmoji(text: string, index: number, codePoint: number): number {
  let end = index + (codePoint > 0xffff ? 2 : 1);
  const length = text.length;
  if (codePoint >= 0x1f1e6 && codePoint <= 0x1f1ff) {
    const next = text.codePointAt(end) ?? 0;
    if (next >= 0x1f1e6 && next <= 0x1f1ff) end += 2;
    return end;
  }
  while (end < length) {
    const c = text.charCodeAt(end);
    if (c === 0xfe0f || c === 0xfe0e || c === 0x20e3) end++;
    else if (c === 0xd83c) {
      // Skin tones U+1F3FB … U+1F3FF.
      const low = text.charCodeAt(end + 1);
      if (low >= 0xdffb && low <= 0xdfff) end += 2;
      else break;
    } else if (c === 0xdb40)
      end += 2; // tag characters of subdivision flags
    else if (c === 0x200d && end + 1 < length) {
      const joined = text.codePointAt(end + 1) ?? 0;
      end += 1 + (joined > 0xffff ? 2 : 1);
    } else break;
  }
  return end;
}

/** ASCII punctuation plus the typographic quotes, dashes and ellipsis phones insert. */
function isPunctuation(c: number): boolean {
  if (c < 0x80)
    return (
      (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)
    );
  return (
    c === 0x2018 ||
    c === 0x2019 ||
    c === 0x201c ||
    c === 0x201d ||
    c === 0x201e ||
    c === 0x2026 ||
    c === 0x2013 ||
    c === 0x2014 ||
    c === 0x2022 ||
    c === 0xab ||
    c === 0xbb ||
    c === 0xa1 ||
    c === 0xbf ||
    c === 0xb7
  );
}

/** Lower-case letters outside ASCII whose upper case differs (Latin-1/Extended, Greek, Cyrillic). */
function isLowerCaseLetter(c: number): boolean {
  return (
    (c >= 0xdf && c <= 0x24f && c !== 0xf7) ||
    (c >= 0x3b1 && c <= 0x3c9) ||
    (c >= 0x430 && c <= 0x45f)
  );
}
