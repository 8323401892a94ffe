import { labelFor, normaliseValence, type Sentiment, SentimentScorer } from '../sentiment';
import { cutToBudget } from '../text-budget';
import { loadVaderLexicon } from './vader-lexicon';
import {
  AFTER_BUT_SCALAR,
  BEFORE_BUT_SCALAR,
  BOOSTER_DECREMENT,
  BOOSTER_DISTANCE_WEIGHTS,
  CAPS_INCREMENT,
  EXCLAMATION_INCREMENT,
  MANY_QUESTIONS_INCREMENT,
  MAX_EXCLAMATIONS,
  NEGATION_SCALAR,
  NEVER_SO_SCALAR,
  NORMALISATION_ALPHA,
  QUESTION_INCREMENT,
} from './vader-rules';
import { VaderTokens } from './vader-tokens';
import {
  AT_OR_VERY,
  BUT,
  buildWordTable,
  CAPS,
  DAMPENER_HEAD,
  DOUBT,
  LEAST,
  NEGATOR,
  NEVER,
  NO,
  OR_NOR,
  type Phrase,
  PHRASE_HEAD,
  SO_OR_THIS,
  WITHOUT,
  type WordInfo,
} from './vader-words';

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
  private readonly tokens = new VaderTokens(this.words);

  constructor(options: VaderSentimentScorerOptions = {}) {
    super();
    const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
    if (!Number.isInteger(maxChars) || maxChars < 1) {
      throw new RangeError(`maxChars must be a positive integer, got ${maxChars}`);
    }
    this.maxChars = maxChars;
    buildWordTable(this.words, options.lexicon ?? loadVaderLexicon(), (phrase) =>
      this.tokens.keys.slice(0, this.tokens.tokenise(phrase)),
    );
  }

  override score(text: string): VaderSentiment | null {
    const trimmed = text.trim();
    if (trimmed === '' || UNSCORABLE.has(trimmed)) return null;
    const budgeted = cutToBudget(trimmed, this.maxChars);
    this.tokens.tokenise(budgeted);
    return this.scoreTokens(budgeted !== trimmed);
  }

  // -------------------------------------------------------------- scoring

  /** Phrases and two-word dampeners rewrite the tokens they cover before the word rules run. */
  private applyPhrases(count: number): void {
    const keys = this.tokens.keys;
    const valences = this.tokens.valences;
    const boosters = this.tokens.boosters;
    const flags = this.tokens.flags;
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
    const count = this.tokens.count;
    if (count === 0) return vaderResult(0, 0, 1, 0, truncated);
    this.applyPhrases(count);
    const valences = this.tokens.valences;
    const flags = this.tokens.flags;
    const capsDiffer = this.tokens.capsCount > 0 && this.tokens.capsCount < count;

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
    const valences = this.tokens.valences;
    const boosters = this.tokens.boosters;
    const flags = this.tokens.flags;
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
    const exclamation =
      Math.min(this.tokens.exclamations, MAX_EXCLAMATIONS) * EXCLAMATION_INCREMENT;
    const questions = this.tokens.questions;
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
