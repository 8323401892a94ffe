import {
  APOSTROPHE,
  classOf,
  DIGIT,
  HYPHEN,
  isWordClass,
  LETTER,
  SPACE,
  skipToWhitespace,
} from './keyword-characters';
import { normaliseWord, type Word } from './keyword-words';
import { cutAtWordBoundary } from './text-budget';

/** One keyword of one text: a word or a two-word phrase, and how often it occurs. */
export interface Keyword {
  /** Lower-case; a phrase is two words joined by one space ("machine learning"). */
  readonly key: string;
  readonly count: number;
}

export interface KeywordOptions {
  /** How many keywords to keep at most; a non-negative integer. */
  readonly max?: number;
}

export const DEFAULT_MAX_KEYWORDS = 8;

/**
 * Only this many UTF-16 units of a text are read (cut back to a whitespace): Reddit's longest bodies
 * (self posts) stop at 40,000 characters, and the bound keeps the cost of one
 * pathological input from stalling a consumer batch.
 */
/** A link or a word is shorter than this: a cut looks this far back for whitespace. */
const WORD_LOOKBACK = 2000;

export const MAX_KEYWORD_TEXT_LENGTH = 40_000;

/**
 * The keywords of one text, most frequent first, ties in order of first
 * occurrence; at most `options.max` (8) entries, so per-window merges stay cheap.
 *
 * The text is expected to be plain (markdown and links already stripped), but
 * leftovers are tolerated: URLs, host and file names (anything with a dot
 * inside a word), `r/...` and `u/...` mentions and HTML entities never become
 * keywords; mentions are `extractMentions`' job.
 *
 * Words: runs of letters and digits (apostrophes inside a word allowed), in
 * lower case. Dropped: stop words (natural's list, conversational English and
 * Reddit's own vocabulary, see stopwords.ts), words under 3 or over 40
 * characters, numbers ("2024", "1,000", "90s", "5pm", "30th"), contractions
 * ("don't", "you'll"), laughter and interjections ("hahaha", "lmaooo", "hmmm").
 * Possessives lose their "'s"; letters repeated three times or more are cut to
 * two ("sooooo good" -> "soo" -> dropped, "coooool" -> "cool"). Plurals are
 * folded conservatively by `foldPlural` ("updates" -> "update"), so keys stay
 * readable words rather than stems.
 *
 * Phrases: a phrase is a run of kept words with nothing between them but
 * spaces, a hyphen or markdown emphasis; a stop word, a dropped word,
 * punctuation, an emoji, a possessive or a line break ends it. Per phrase:
 *  - one word: counted as itself;
 *  - two words: counted as one bigram ("machine learning", "open-source" ->
 *    "open source") and NOT as its two words, so a bigram never pushes its own
 *    parts into the top list and each occurrence is counted once; two equal
 *    words ("love love") stay words;
 *  - three or more words ("love machine learning models"): which pair is the
 *    concept cannot be told from one occurrence, so only evidenced pairs become
 *    bigrams: hyphenated pairs ("real-time") and pairs that occur at least
 *    twice in the text; they are taken left to right, the stronger of two
 *    overlapping pairs first; the other words count alone.
 *  In a bigram only the last word has its plural folded: English compounds
 *  keep a plural modifier ("sports car", "sales tax").
 * Scripts written without spaces between words (Chinese, Japanese, Thai, ...)
 * cannot be split without a dictionary and yield no keywords.
 */
export function extractKeywords(text: string, options: KeywordOptions = {}): Keyword[] {
  const max = options.max ?? DEFAULT_MAX_KEYWORDS;
  if (!Number.isInteger(max) || max < 0) {
    throw new RangeError(`max must be a non-negative integer, got ${String(max)}`);
  }
  if (max === 0 || text.length === 0) return [];
  const counts = countKeywords(
    cutAtWordBoundary(text, MAX_KEYWORD_TEXT_LENGTH, WORD_LOOKBACK).toLowerCase(),
  );
  // Map keeps insertion order, which is first-occurrence order, and sort is
  // stable: ties stay in the order they first appeared.
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  const out: Keyword[] = [];
  for (let i = 0; i < ranked.length && i < max; i++) {
    const [key, count] = ranked[i]!;
    out.push({ key, count });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Character classes, one byte per UTF-16 unit, computed once at load.

/** What lies between the previous kept word and the next one. */
const GAP_NONE = 0;
const GAP_HYPHEN = 1;
const GAP_SPACE = 2;
const GAP_BREAK = 3;

/** Kept words grouped into phrases, then counted once the whole text is read. */
class Phrases {
  private readonly words: Word[] = [];
  /** Per word: joined to the previous word by a hyphen. */
  private readonly hyphenated: boolean[] = [];
  /** Index of the first word of each phrase. */
  private readonly starts: number[] = [];
  private open = false;
  private hasLongPhrase = false;

  add(word: Word, hyphenatedToPrevious: boolean): void {
    this.hyphenated.push(this.open && hyphenatedToPrevious);
    if (!this.open) {
      this.starts.push(this.words.length);
      this.open = true;
    } else if (this.words.length - (this.starts.at(-1) ?? 0) === 2) {
      this.hasLongPhrase = true;
    }
    this.words.push(word);
    if (word.endsPhrase) this.open = false;
  }

  end(): void {
    this.open = false;
  }

  count(): Map<string, number> {
    const counts = new Map<string, number>();
    const add = (key: string): void => {
      counts.set(key, (counts.get(key) ?? 0) + 1);
    };
    const words = this.words;
    const pairs = this.hasLongPhrase ? this.countPairs() : null;
    /** How strongly words i and i+1 form a bigram inside a long phrase; 0 means not at all. */
    const strength = (i: number, end: number): number => {
      if (i + 1 >= end || words[i]!.key === words[i + 1]!.key) return 0;
      if (this.hyphenated[i + 1] === true) return Number.POSITIVE_INFINITY;
      const seen = pairs?.get(bigram(words[i]!, words[i + 1]!)) ?? 0;
      return seen >= 2 ? seen : 0;
    };
    for (let p = 0; p < this.starts.length; p++) {
      const start = this.starts[p]!;
      const end = this.starts[p + 1] ?? words.length;
      const length = end - start;
      if (length === 1) {
        add(words[start]!.key);
      } else if (length === 2) {
        const first = words[start]!;
        const second = words[start + 1]!;
        if (first.key === second.key) {
          add(first.key);
          add(second.key);
        } else {
          add(bigram(first, second));
        }
      } else {
        for (let i = start; i < end;) {
          const here = strength(i, end);
          if (here > 0 && here >= strength(i + 1, end)) {
            add(bigram(words[i]!, words[i + 1]!));
            i += 2;
          } else {
            add(words[i]!.key);
            i++;
          }
        }
      }
    }
    return counts;
  }

  /** Every adjacent pair of every phrase of two words or more: the evidence for long phrases. */
  private countPairs(): Map<string, number> {
    const pairs = new Map<string, number>();
    for (let p = 0; p < this.starts.length; p++) {
      const end = this.starts[p + 1] ?? this.words.length;
      for (let i = this.starts[p]!; i + 1 < end; i++) {
        const key = bigram(this.words[i]!, this.words[i + 1]!);
        pairs.set(key, (pairs.get(key) ?? 0) + 1);
      }
    }
    return pairs;
  }
}

function bigram(first: Word, second: Word): string {
  return `${first.norm} ${second.key}`;
}

function countKeywords(s: string): Map<string, number> {
  const phrases = new Phrases();
  const n = s.length;
  let gap = GAP_BREAK;
  let i = 0;
  while (i < n) {
    const code = s.charCodeAt(i);
    const cls = classOf(code);
    if (!isWordClass(cls)) {
      if (cls === SPACE) {
        if (gap !== GAP_BREAK) gap = GAP_SPACE;
      } else if (cls === HYPHEN && gap === GAP_NONE && isWordClass(classOf(s.charCodeAt(i + 1)))) {
        gap = GAP_HYPHEN;
      } else {
        gap = GAP_BREAK;
      }
      i++;
      continue;
    }

    const start = i;
    let hasLetter = cls === LETTER;
    let hasApostrophe = false;
    let hasTripleRun = false;
    let previous = code;
    let run = 1;
    for (i++; i < n; i++) {
      const c = s.charCodeAt(i);
      const k = classOf(c);
      if (k === LETTER) hasLetter = true;
      else if (k === DIGIT) {
        // digits are part of the word
      } else if (k === APOSTROPHE && classOf(s.charCodeAt(i + 1)) === LETTER) hasApostrophe = true;
      else break;
      if (c === previous) {
        if (++run === 3) hasTripleRun = true;
      } else {
        previous = c;
        run = 1;
      }
    }

    const next = s.charCodeAt(i);
    const isDotted = next === 46 && isWordClass(classOf(s.charCodeAt(i + 1)));
    const isScheme = next === 58 && s.charCodeAt(i + 1) === 47 && s.charCodeAt(i + 2) === 47;
    const isMention =
      next === 47 &&
      i - start === 1 &&
      (code === 114 || code === 117) &&
      isWordClass(classOf(s.charCodeAt(i + 1)));
    if (isDotted || isScheme || isMention) {
      // example.com/x, e.g., node.js, https://..., r/sub, u/name: not keywords.
      i = skipToWhitespace(s, i);
      phrases.end();
      gap = GAP_BREAK;
      continue;
    }

    const word = hasLetter ? normaliseWord(s.slice(start, i), hasApostrophe, hasTripleRun) : null;
    if (word === null) {
      phrases.end();
      gap = GAP_BREAK;
      continue;
    }
    if (gap === GAP_BREAK) phrases.end();
    phrases.add(word, gap === GAP_HYPHEN);
    gap = GAP_NONE;
  }
  return phrases.count();
}

// ---------------------------------------------------------------------------
// One word: lower-case in, kept word or null out.
