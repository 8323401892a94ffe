/**
 * The constants and word lists of the VADER method (Hutto & Gilbert, "VADER: A
 * Parsimonious Rule-based Model for Sentiment Analysis of Social Media Text",
 * ICWSM 2014). The numbers are the paper's empirically derived intensity
 * changes; the word lists are the modifiers the method names.
 */

/** Added to (or, for negative words, subtracted from) a valence by a booster word. */
export const BOOSTER_INCREMENT = 0.293;
/** Dampeners move a valence towards zero by the same amount. */
export const BOOSTER_DECREMENT = -0.293;
/** An ALL-CAPS sentiment word in mixed-case text gains this much intensity. */
export const CAPS_INCREMENT = 0.733;
/** Negation flips and shrinks a valence. */
export const NEGATION_SCALAR = -0.74;
/** A booster two words before the sentiment word counts 95%, three words before 90%. */
export const BOOSTER_DISTANCE_WEIGHTS = [1, 0.95, 0.9] as const;
/** "never so good", "never this happy": emphasis rather than negation. */
export const NEVER_SO_SCALAR = 1.25;
/** Contrastive "but": what comes before it weighs half, what follows one and a half. */
export const BEFORE_BUT_SCALAR = 0.5;
export const AFTER_BUT_SCALAR = 1.5;
export const EXCLAMATION_INCREMENT = 0.292;
export const MAX_EXCLAMATIONS = 4;
export const QUESTION_INCREMENT = 0.18;
/** Used instead of the per-mark increment when a text has more than three question marks. */
export const MANY_QUESTIONS_INCREMENT = 0.96;
/** The alpha of compound = x / sqrt(x^2 + alpha). */
export const NORMALISATION_ALPHA = 15;

function wordList(words: string): readonly string[] {
  return words.split(/\s+/).filter((word) => word !== '');
}

export const NEGATION_WORDS: readonly string[] = wordList(`
  aint ain't arent aren't cannot cant can't couldnt couldn't darent daren't didnt didn't
  doesnt doesn't dont don't hadnt hadn't hasnt hasn't havent haven't isnt isn't mightnt
  mightn't mustnt mustn't neednt needn't neither never none nope nor not nothing nowhere
  oughtnt oughtn't shant shan't shouldnt shouldn't uhuh uh-uh wasnt wasn't werent weren't
  without wont won't wouldnt wouldn't rarely seldom despite
`);

/** Words that intensify the sentiment word they precede. */
export const BOOSTER_WORDS: readonly string[] = wordList(`
  absolutely amazingly awfully completely considerable considerably decidedly deeply
  effing enormous enormously entirely especially exceptional exceptionally extreme
  extremely fabulously flipping flippin frackin fracking fricking frickin frigging friggin
  fully fuckin fucking fuggin fugging greatly hella highly hugely incredible incredibly
  intensely major majorly more most particularly purely quite really remarkably so
  substantially thoroughly total totally tremendous tremendously uber unbelievably
  unusually utter utterly very
`);

/** Words that soften the sentiment word they precede. */
export const DAMPENER_WORDS: readonly string[] = wordList(`
  almost barely hardly kinda kindof kind-of less little marginal marginally occasional
  occasionally partly scarce scarcely slight slightly somewhat sorta sortof sort-of
`);

/** Two-word dampeners; the first word carries no sentiment of its own ("kind" is 2.4 alone). */
export const DAMPENER_PHRASES: readonly (readonly [string, string])[] = [
  ['kind', 'of'],
  ['sort', 'of'],
  ['just', 'enough'],
];

/**
 * Phrases whose meaning is not the sum of their words, with their valence. The
 * first block are the method's special cases, the second its sentiment-laden
 * idioms. Multi-word lexicon entries ("fed up") are added at run time.
 */
export const SENTIMENT_PHRASES: ReadonlyMap<string, number> = new Map([
  ['the shit', 3],
  ['the bomb', 3],
  ['bad ass', 1.5],
  ['bus stop', 0],
  ['yeah right', -2],
  ['kiss of death', -1.5],
  ['to die for', 3],
  ['beating heart', 3.1],
  ['broken heart', -2.9],
  ['cut the mustard', 2],
  ['hand to mouth', -2],
  ['back handed', -2],
  ['blow smoke', -2],
  ['blowing smoke', -2],
  ['upper hand', 1],
  ['break a leg', 2],
  ['cooking with gas', 2],
  ['in the black', 2],
  ['in the red', -2],
  ['on the ball', 2],
  ['under the weather', -2],
]);

/** Single-word special cases that override the lexicon. */
export const LEXICON_OVERRIDES: ReadonlyMap<string, number> = new Map([['badass', 1.5]]);
