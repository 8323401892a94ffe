/**
 * A cheap English / not-English check, run per event before sentiment
 * scoring: the lexicon is English, so scoring Spanish or Russian text with it
 * produces confident nonsense. 'unknown' means "too little text to tell" and
 * is fine to score as English.
 */
export type DetectedLanguage = 'en' | 'non-en' | 'unknown';

/** Only the start of a long text is read; the decision is made long before. */
const SAMPLE_CHARS = 1_000;
const MIN_WORDS = 3;
/** Below this many words a text without English function words is still 'unknown'. */
const MIN_WORDS_FOR_ABSENCE = 10;
const MIN_LETTERS_FOR_SCRIPT = 3;
const NON_LATIN_SHARE = 0.5;
const ENGLISH_SHARE = 0.1;
const FOREIGN_SHARE = 0.15;
const ABSENT_ENGLISH_SHARE = 0.05;
const MIN_FOREIGN_HITS = 2;
/** English text rarely has accented letters; a few percent is evidence of another language. */
const ACCENTED_SHARE = 0.03;
/** Longest word in either list; longer words are not looked up. */
const MAX_LOOKUP_LENGTH = 8;

function wordSet(words: string): ReadonlySet<string> {
  return new Set(words.split(/\s+/).filter((word) => word !== ''));
}

/**
 * Frequent English function words and Reddit staples. "a" is left out: it is
 * also a word in Spanish, Portuguese and Italian.
 */
const ENGLISH = wordSet(`
  i the be to of and in that have it for not on with he as you do at this but his by from they
  we say her she or an will my one all would there their what so up out if about who get which
  go me when make can like no just him know take into your some could them see other than then
  now look only come its over think also back after use two how our well way even want because
  any these give most us is are was were been has had did does am i'm it's don't didn't can't
  isn't that's you're i've i'll i'd doesn't won't wasn't very really why where here too much
  more should got im dont thats youre cant lol yes yeah never always people thing things good
`);

/**
 * Frequent function words of other languages written in Latin script
 * (Spanish, French, German, Dutch, Portuguese, Italian, Scandinavian, Polish,
 * Indonesian, Turkish, Tagalog) that are not also common English or Reddit
 * words ("die", "was", "van", "til", "sus", "ama", "com" are left out).
 */
const FOREIGN = wordSet(`
  de la que el los las del por con una para es lo pero más muy como esta está este nada
  también porque cuando hay ser bien gracias hola eso esto sí donde qué le les des et est une
  du je il elle nous vous ils pas ne qui sur dans avec ce cette mais ou sont être très tout mes
  oui merci c'est j'ai suis aussi comme fait était ça der das und ist nicht ich du er sie wir
  ihr ein eine einen zu den dem auf für von sich auch noch aber oder wenn wie nur schon sehr
  habe sind kann doch dass nach bei jetzt kein keine het een ik niet zijn voor maar ook wel
  heb jij hij naar bij geen não você uma muito mais isso ele ela tem foi obrigado meu
  minha che di sono della questo anche cosa molto perché grazie ciao och att är det som jag
  inte har på för ikke jeg nie się że jest jak tak czy już tylko mnie jestem bardzo dla być
  dan di ini itu dengan untuk tidak saya aku kamu ke dari juga sudah apa bisa akan karena lagi
  ve bir bu için çok gibi daha yok değil ang ng sa mga ko ako ay siya naman po
`);

/**
 * Classifies a text as English, not English, or unknown (too short to tell).
 *
 * 1. Mostly non-Latin letters (Cyrillic, Greek, Arabic, Hebrew, Indic, Thai,
 *    CJK, Hangul…) -> 'non-en'.
 * 2. Fewer than three words -> 'unknown'.
 * 3. More foreign than English function words, at least two of them and at
 *    least 15% of the words -> 'non-en'.
 * 4. At least 10% English function words -> 'en'. (English prose runs at
 *    40-50%, so this survives slang, names and all-caps.)
 * 5. Ten or more words, under 5% English function words, and some evidence
 *    of another language (two foreign function words, or 3% accented letters)
 *    -> 'non-en'. Absence alone is not enough: repeated chants, lists and
 *    headlines have no function words either.
 * 6. Otherwise 'unknown'.
 */
export function detectLanguage(text: string): DetectedLanguage {
  const sample = text.length > SAMPLE_CHARS ? text.slice(0, SAMPLE_CHARS) : text;
  const lower = sample.toLowerCase();
  const sameLength = lower.length === sample.length;
  let latinLetters = 0;
  let accentedLetters = 0;
  let nonLatinLetters = 0;
  let words = 0;
  let english = 0;
  let foreign = 0;
  let wordStart = -1;

  const endWord = (end: number): void => {
    words++;
    const length = end - wordStart;
    if (!sameLength || length > MAX_LOOKUP_LENGTH) return;
    let word = lower.slice(wordStart, end);
    if (word.includes('\u2019')) word = word.replace(/\u2019/g, "'");
    if (ENGLISH.has(word)) english++;
    else if (FOREIGN.has(word)) foreign++;
  };

  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (isLatinLetter(c)) {
      latinLetters++;
      if (c >= 0x80) accentedLetters++;
      if (wordStart < 0) wordStart = i;
      continue;
    }
    if (isNonLatinLetter(c)) nonLatinLetters++;
    // Apostrophes inside a word ("don't", "c'est", and the curly kind) keep the word going.
    if ((c === 39 || c === 0x2019) && wordStart >= 0 && isLatinLetter(sample.charCodeAt(i + 1))) {
      continue;
    }
    if (wordStart >= 0) {
      endWord(i);
      wordStart = -1;
    }
  }
  if (wordStart >= 0) endWord(sample.length);

  const letters = latinLetters + nonLatinLetters;
  if (letters >= MIN_LETTERS_FOR_SCRIPT && nonLatinLetters / letters >= NON_LATIN_SHARE) {
    return 'non-en';
  }
  if (words < MIN_WORDS) return 'unknown';
  if (foreign > english && foreign >= MIN_FOREIGN_HITS && foreign / words >= FOREIGN_SHARE) {
    return 'non-en';
  }
  if (english / words >= ENGLISH_SHARE) return 'en';
  const otherEvidence =
    foreign >= MIN_FOREIGN_HITS || accentedLetters / latinLetters >= ACCENTED_SHARE;
  if (words >= MIN_WORDS_FOR_ABSENCE && english / words < ABSENT_ENGLISH_SHARE && otherEvidence) {
    return 'non-en';
  }
  return 'unknown';
}

/** ASCII letters, Latin-1 and Latin Extended letters (accented Latin), Vietnamese. */
function isLatinLetter(c: number): boolean {
  if (c < 0x80) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
  return (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7) || (c >= 0x1e00 && c <= 0x1eff);
}

/** Letters of other scripts: Greek to Hangul Jamo, kana and CJK, Hangul syllables. */
function isNonLatinLetter(c: number): boolean {
  return (
    (c >= 0x370 && c < 0x1e00) ||
    (c >= 0x3040 && c <= 0x9fff) ||
    (c >= 0xac00 && c <= 0xd7af) ||
    (c >= 0xf900 && c <= 0xfaff)
  );
}
