import { isEmojiStart, isSpace } from '../characters';
import { EMOJI_VALENCE } from './emoji-valence';
import { endOfEmoji, isLowerCaseLetter, isPunctuation } from './vader-text';
import { CAPS, NEGATOR, type WordInfo } from './vader-words';

// What a word holds, gathered while scanning it.
const SHAPE_UPPER = 1;
const SHAPE_LOWER = 2;
const SHAPE_APOSTROPHE = 4;
const SHAPE_CURLY = 8;

/**
 * One text as VADER reads it: its tokens, each with its lexicon valence,
 * booster scalar and role flags, in typed arrays grown on demand and reused
 * across calls, plus the counts of "!" and "?". The scorer's rules then
 * rewrite and read these buffers.
 */
export class VaderTokens {
  keys: string[] = [];
  valences = new Float64Array(0);
  boosters = new Float64Array(0);
  flags = new Int32Array(0);
  count = 0;
  capsCount = 0;
  exclamations = 0;
  questions = 0;
  private capacity = 0;
  // The text being tokenised, for pushWord.
  private text = '';
  private lower = '';
  private sameLength = true;

  constructor(private readonly words: ReadonlyMap<string, WordInfo>) {
    this.grow(64);
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

  /**
   * Splits on whitespace in one pass, strips punctuation around words (keeping
   * emoticons the lexicon knows), drops single characters ("a", "I"), splits
   * emoji into their own tokens, and counts "!" and "?". Fills the per-token
   * buffers and returns the token count.
   */
  tokenise(text: string): number {
    const lower = text.toLowerCase();
    // Lower-casing can change the length for a few characters (e.g. "İ"); then slice per token.
    const sameLength = lower.length === text.length;
    this.text = text;
    this.lower = lower;
    this.sameLength = sameLength;
    this.count = 0;
    this.capsCount = 0;
    let exclamations = 0;
    let questions = 0;
    let start = -1;
    /** What the current word holds so far: SHAPE_* bits. */
    let shape = 0;
    const length = text.length;
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c === 32 || isSpace(c)) {
        if (start >= 0) {
          this.pushWord(start, i, shape);
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
            this.pushWord(start, i, shape);
            start = -1;
          }
          i = endOfEmoji(text, i, codePoint) - 1;
          this.pushToken('', EMOJI_VALENCE.get(codePoint) ?? NaN, 0, 0);
          continue;
        }
      }
      if (start < 0) {
        start = i;
        shape = 0;
      }
      if (c >= 97 && c <= 122) shape |= SHAPE_LOWER;
      else if (c >= 65 && c <= 90) shape |= SHAPE_UPPER;
      else if (c === 39) shape |= SHAPE_APOSTROPHE;
      else if (c >= 0x80) {
        if (c === 0x2019 || c === 0x2018) shape |= SHAPE_CURLY;
        else if (sameLength && lower.charCodeAt(i) !== c) shape |= SHAPE_UPPER;
        else if (isLowerCaseLetter(c)) shape |= SHAPE_LOWER;
      }
    }
    if (start >= 0) {
      this.pushWord(start, length, shape);
    }
    this.exclamations = exclamations;
    this.questions = questions;
    return this.count;
  }

  /** Adds the word text[start, end) with its SHAPE_* bits, stripped of surrounding punctuation. */
  private pushWord(start: number, end: number, shape: number): void {
    const { text, lower, sameLength } = this;
    const hasCurly = (shape & SHAPE_CURLY) !== 0;
    let from = start;
    let to = end;
    while (from < to && isPunctuation(text.charCodeAt(from))) from++;
    while (to > from && isPunctuation(text.charCodeAt(to - 1))) to--;
    let caps = (shape & (SHAPE_UPPER | SHAPE_LOWER)) === SHAPE_UPPER;
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
      if (shape & (SHAPE_APOSTROPHE | SHAPE_CURLY) && key.includes("n't")) flags |= NEGATOR;
      this.pushToken(key, NaN, 0, flags);
    } else {
      this.pushToken(key, info.valence, info.booster, flags | info.flags);
    }
  }

  pushToken(key: string, valence: number, booster: number, flags: number): void {
    const index = this.count;
    if (index === this.capacity) this.grow(this.capacity * 2);
    this.keys[index] = key;
    this.valences[index] = valence;
    this.boosters[index] = booster;
    this.flags[index] = flags;
    this.count = index + 1;
  }
}
