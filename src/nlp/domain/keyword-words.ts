import { STOP_WORDS } from './stopwords';

export interface Word {
  /** Lower-case, apostrophes resolved, not plural-folded: a bigram's first part. */
  readonly norm: string;
  /** `norm` with its plural folded: the unigram key and a bigram's last part. */
  readonly key: string;
  /** A possessive ("company's") ends its phrase: "company's fault" is not a concept. */
  readonly endsPhrase: boolean;
}

/** Longer "words" are hashes, base64 or run-together leftovers, not keywords. */
const MAX_WORD_LENGTH = 40;
const MIN_WORD_LENGTH = 3;

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

export function normaliseWord(
  raw: string,
  hasApostrophe: boolean,
  hasTripleRun: boolean,
): Word | null {
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
