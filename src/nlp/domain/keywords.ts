import { STOP_WORDS } from './stopwords';

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
export const MAX_KEYWORD_TEXT_LENGTH = 40_000;

/** Longer "words" are hashes, base64 or run-together leftovers, not keywords. */
const MAX_WORD_LENGTH = 40;
const MIN_WORD_LENGTH = 3;

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
  const counts = countKeywords(truncateAtWhitespace(text, MAX_KEYWORD_TEXT_LENGTH).toLowerCase());
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

const SEPARATOR = 0;
const LETTER = 1;
const DIGIT = 2;
/** Spaces within a line, zero-width characters and markdown emphasis: a phrase goes on. */
const SPACE = 3;
const HYPHEN = 4;
const APOSTROPHE = 5;

const CHAR_CLASS = buildCharClasses();

function buildCharClasses(): Uint8Array {
  const table = new Uint8Array(0x10000);
  const letter = /[\p{L}\p{M}]/u;
  const digit = /\p{Nd}/u;
  for (let code = 0; code < 0x10000; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue; // astral: emoji, rare CJK
    if (code < 0x80) {
      if ((code >= 97 && code <= 122) || (code >= 65 && code <= 90)) table[code] = LETTER;
      else if (code >= 48 && code <= 57) table[code] = DIGIT;
      continue;
    }
    const ch = String.fromCharCode(code);
    if (letter.test(ch)) table[code] = isUnspacedScript(code) ? SEPARATOR : LETTER;
    else if (digit.test(ch)) table[code] = DIGIT;
  }
  for (const code of [0x09, 0x20, 0xa0, 0x1680, 0x202f, 0x205f, 0x2060, 0x3000, 0xfeff]) {
    table[code] = SPACE;
  }
  for (let code = 0x2000; code <= 0x200d; code++) table[code] = SPACE;
  for (const ch of '*_~`') table[ch.charCodeAt(0)] = SPACE;
  for (const code of [0x2d, 0x2010, 0x2011]) table[code] = HYPHEN;
  for (const code of [0x27, 0x2019]) table[code] = APOSTROPHE;
  return table;
}

/** Scripts that do not separate words with spaces. */
function isUnspacedScript(code: number): boolean {
  return (
    (code >= 0x0e00 && code <= 0x0fff) || // Thai, Lao, Tibetan
    (code >= 0x1000 && code <= 0x109f) || // Myanmar
    (code >= 0x1780 && code <= 0x17ff) || // Khmer
    (code >= 0x2e80 && code <= 0xa4cf) || // CJK, kana, bopomofo, Yi
    (code >= 0xf900 && code <= 0xfaff) || // CJK compatibility
    (code >= 0xff66 && code <= 0xff9f) // half-width katakana
  );
}

/** NaN (past the end) and unlisted codes are separators. */
function classOf(code: number): number {
  return CHAR_CLASS[code] ?? SEPARATOR;
}

function isWordClass(cls: number): boolean {
  return cls === LETTER || cls === DIGIT;
}

function isWhitespace(code: number): boolean {
  return (
    code === 32 ||
    (code >= 9 && code <= 13) ||
    code === 0xa0 ||
    (code >= 0x2000 && code <= 0x200b) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x3000
  );
}

/** At most `max` units, cut at a whitespace so no word is cut in half. */
function truncateAtWhitespace(text: string, max: number): string {
  if (text.length <= max) return text;
  // A link or a word is shorter than 2,000 units; past that, cut anywhere.
  for (let i = max; i > 0 && i > max - 2000; i--) {
    if (text.charCodeAt(i) <= 32) return text.slice(0, i);
  }
  return text.slice(0, max);
}

function skipToWhitespace(s: string, from: number): number {
  let i = from;
  while (i < s.length && !isWhitespace(s.charCodeAt(i))) i++;
  return i;
}

// ---------------------------------------------------------------------------
// Scanning: words -> phrases -> counts.

/** What lies between the previous kept word and the next one. */
const GAP_NONE = 0;
const GAP_HYPHEN = 1;
const GAP_SPACE = 2;
const GAP_BREAK = 3;

interface Word {
  /** Lower-case, apostrophes resolved, not plural-folded: a bigram's first part. */
  readonly norm: string;
  /** `norm` with its plural folded: the unigram key and a bigram's last part. */
  readonly key: string;
  /** A possessive ("company's") ends its phrase: "company's fault" is not a concept. */
  readonly endsPhrase: boolean;
}

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

/** "2nd", "90s", "100k", "5pm", "1080p", "10x", "3yo": a number with a unit is a number. */
const NUMBER_SUFFIXES = new Set(
  (
    'st nd rd th s k m b x am pm ish h hr hrs min mins sec secs ms lb lbs kg g mg km mi mph kph ' +
    'ft cm mm gb mb tb kb fps hz ghz mhz p yo yr yrs w kw kwh v mah d mo'
  ).split(' '),
);

/** Laughter, interjections and a letter repeated: "haha", "lool", "lmaoo", "hmm", "grr". */
const INTERJECTION =
  /^(?:[ab]?(ha|he|hi|ja|je|ke)\1+h?|(.)\2+|l+o+l+(?:o+l+)*|lmf?a+o+|rofl(?:mao)?|x+d+|h+m+|u+m+|u+h+|a+h+|o+h+|u+g+h+|s+h+|g+r+|a+r+g+h+|e+w+|a+w+|o+o+f+|y+a+y+|h+e+h+|h+a+h+)$/;

const CONTRACTION_SUFFIX = /'(?:ll|re|ve|d|m)$/;

function normaliseWord(raw: string, hasApostrophe: boolean, hasTripleRun: boolean): Word | null {
  let word = raw;
  let possessive = false;
  if (hasApostrophe) {
    word = word.replaceAll('\u2019', "'");
    // "don't", "shouldn't", "you'll", "we're", "i'd": always function words.
    if (word.endsWith("n't") || CONTRACTION_SUFFIX.test(word)) return null;
    if (word.endsWith("'s")) {
      word = word.slice(0, -2);
      possessive = true;
    }
    word = word.replaceAll("'", '');
  }
  if (hasTripleRun) word = word.replace(/(.)\1{2,}/gu, '$1$1');
  if (word.length < MIN_WORD_LENGTH || word.length > MAX_WORD_LENGTH) return null;
  if (STOP_WORDS.has(word)) return null;
  const first = word.charCodeAt(0);
  if (first >= 48 && first <= 57) {
    const tail = word.replace(/^\d+/, '');
    if (tail === '' || NUMBER_SUFFIXES.has(tail)) return null;
  }
  if (INTERJECTION.test(word)) return null;
  const key = foldPlural(word);
  if (key !== word && STOP_WORDS.has(key)) return null;
  return { norm: word, key, endsPhrase: possessive };
}

// ---------------------------------------------------------------------------
// Plural folding.

/** Words ending in "s" that are not plurals, or whose plural is also the name. */
const NOT_PLURAL = new Set(
  (
    'news series species means lens physics politics economics mathematics maths ethics ' +
    'statistics analytics genetics electronics linguistics robotics logistics athletics dynamics ' +
    'aesthetics semantics optics acoustics aerobics gymnastics graphics ceramics forensics ' +
    'diabetes herpes rabies measles mumps aids gas bias canvas alias atlas christmas texas kansas ' +
    'arkansas vegas dallas chaos kudos ethos pathos cosmos thermos asbestos ios macos windows ' +
    'mars james jones charles wales athens pants jeans scissors clothes glasses leaves thanks ' +
    'congrats odds savings earnings headquarters crossroads barracks gallows whereabouts innings ' +
    'overseas indoors outdoors upstairs downstairs backwards forwards sideways nowadays ' +
    'afterwards mcdonalds starbucks itunes'
  ).split(' '),
);

/** Plurals no suffix rule gets right. */
const IRREGULAR_PLURALS = new Map<string, string>(
  (
    'men:man women:woman children:child feet:foot teeth:tooth mice:mouse geese:goose ' +
    'wives:wife knives:knife lives:life wolves:wolf halves:half shelves:shelf thieves:thief ' +
    'calves:calf loaves:loaf elves:elf selves:self crises:crisis analyses:analysis theses:thesis ' +
    'hypotheses:hypothesis diagnoses:diagnosis parentheses:parenthesis emphases:emphasis ' +
    'oases:oasis indices:index matrices:matrix vertices:vertex appendices:appendix ' +
    'criteria:criterion phenomena:phenomenon cacti:cactus fungi:fungus quizzes:quiz lenses:lens'
  )
    .split(' ')
    .map((pair): [string, string] => {
      const [plural = '', singular = ''] = pair.split(':');
      return [plural, singular];
    }),
);

/** Singulars in "-ie", so "movies" is not "movy". */
const IE_SINGULARS = new Set(
  (
    'movie cookie zombie rookie hoodie selfie smoothie calorie goalie indie newbie freebie genie ' +
    'brownie sweetie cutie aussie hottie techie roomie veggie bookie pixie pinkie auntie birdie ' +
    'yuppie hippie groupie junkie foodie barbie collie walkie talkie beanie prairie lingerie ' +
    'budgie boogie doggie kiddie magpie necktie bootie oldie goodie baddie girlie'
  ).split(' '),
);

/** Singulars in "-che", so "headaches" is not "headach". */
const CHE_SINGULARS = new Set(
  (
    'ache headache stomachache toothache heartache backache earache cache niche cliche ' +
    'avalanche moustache mustache psyche quiche creche attache douche apache porsche'
  ).split(' '),
);

/** "-oes" plurals of "-o" singulars ("heroes"); other "-oes" are "-oe" + s ("shoes"). */
const OES_PLURALS = new Set(
  (
    'heroes potatoes tomatoes echoes vetoes torpedoes volcanoes mosquitoes dominoes tornadoes ' +
    'embargoes buffaloes cargoes mottoes'
  ).split(' '),
);

/** "-uses" and "-ases" plurals of "-us" and "-as" singulars; others are "-use" + s ("causes"). */
const ES_AFTER_S_PLURALS = new Set(
  (
    'viruses bonuses campuses statuses censuses focuses geniuses buses busses choruses circuses ' +
    'fetuses sinuses syllabuses octopuses walruses consensuses surpluses cactuses prospectuses ' +
    'apparatuses hiatuses nexuses platypuses thesauruses minuses pluses uteruses abacuses ' +
    'lotuses citruses gases gasses aliases biases canvases atlases'
  ).split(' '),
);

/**
 * The singular of an English plural, or the word itself when it is not one or
 * when the rule would be a guess: conservative on purpose, so keys are always
 * readable words ("companies" -> "company", "boxes" -> "box", "movies" ->
 * "movie", "causes" -> "cause", "viruses" -> "virus", "news", "status" and
 * "analysis" unchanged). Lower-case input.
 */
export function foldPlural(word: string): string {
  const irregular = IRREGULAR_PLURALS.get(word);
  if (irregular !== undefined) return irregular;
  const n = word.length;
  if (n < 4 || word.charCodeAt(n - 1) !== 115 /* s */ || NOT_PLURAL.has(word)) return word;
  const beforeS = word.charCodeAt(n - 2);
  // -ss (class), -us (status, famous), -is (analysis, this): not plurals.
  if (beforeS === 115 || beforeS === 117 || beforeS === 105) {
    return word;
  }
  let singular: string;
  if (word.endsWith('ies')) {
    const withoutS = word.slice(0, -1);
    singular = n >= 5 && !IE_SINGULARS.has(withoutS) ? `${word.slice(0, -3)}y` : withoutS;
  } else if (
    word.endsWith('sses') ||
    word.endsWith('xes') ||
    word.endsWith('zzes') ||
    word.endsWith('shes')
  ) {
    singular = word.slice(0, -2);
  } else if (word.endsWith('ches')) {
    const withoutS = word.slice(0, -1);
    singular = CHE_SINGULARS.has(withoutS) ? withoutS : word.slice(0, -2);
  } else if (word.endsWith('oes')) {
    singular = OES_PLURALS.has(word) ? word.slice(0, -2) : word.slice(0, -1);
  } else if (word.endsWith('ses')) {
    singular = ES_AFTER_S_PLURALS.has(word) ? word.slice(0, -2) : word.slice(0, -1);
  } else {
    singular = word.slice(0, -1);
  }
  return singular.length >= MIN_WORD_LENGTH ? singular : word;
}
