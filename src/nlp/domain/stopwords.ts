// Deep import on purpose: natural's package root also loads its storage
// back-ends, which read a .env file into process.env as a side effect.
import { words as naturalStopWords } from 'natural/lib/natural/util/stopwords';

/** One word list per template literal: whitespace-separated, `#` starts a comment line. */
function wordList(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join(' ')
    .split(/\s+/)
    .filter((word) => word !== '');
}

/**
 * Words that never become keywords. natural's list is short (about 170 words,
 * written for formal text); Reddit comments are conversational, so without the
 * additions below the top keywords of every subreddit would be "just", "really",
 * "dont", "people" and "time". The additions are grouped by why they are noise.
 *
 * Entries are lower-case without apostrophes (the extractor drops "don't" and
 * "it's" by rule). It folds plurals before a second look-up, so only singular
 * nouns need listing: "thing" also stops "things".
 */
const CONVERSATIONAL_ENGLISH = wordList(`
  # pronouns, determiners and quantifiers
  i mine us yourselves herself oneself one ones
  someone somebody something somewhere anyone anybody anything anywhere
  everyone everybody everything everywhere noone nobody nothing nowhere
  none whatever whichever whoever whomever whose every either neither
  less least several enough lot lots plenty
  # negation and auxiliaries (natural's list has no "not")
  not no will shall may ought done having
  # the halves of "isn't" and the like, when the apostrophe is an odd character
  isn aren wasn weren doesn didn hasn hadn wouldn couldn shouldn
  # contractions as typed without the apostrophe (the extractor drops the apostrophe forms)
  im ive youre youve youll youd hes shes weve theyre theyve
  theyll theyd thats theres heres whats whos wheres hows lets dont
  doesnt didnt isnt arent wasnt werent hasnt havent hadnt wont
  wouldnt cant couldnt shouldnt mustnt neednt aint ill itll thatll
  shouldve couldve wouldve mustve yall gonna wanna gotta kinda sorta
  dunno lemme gimme outta tis twas
  # prepositions and conjunctions
  across against along amid among amongst around behind beneath
  beside besides beyond despite down except inside near off onto
  outside past per throughout till toward towards underneath unlike
  unto upon via within without nor yet unless whether whilst
  though although however therefore thus hence meanwhile otherwise
  instead else etc whereas thereby
  # adverbs and fillers
  ago almost already always anyway anyways anyhow actually basically
  certainly clearly completely definitely especially essentially exactly
  extremely fairly finally generally honestly hopefully just likely
  literally maybe mostly nearly often obviously perhaps possibly pretty
  probably quite rather really seriously simply sometimes somehow
  somewhat soon surely totally truly usually anymore ever even yes
  yeah yep yup nope nah okay hey hello wow please sorry thanks
  thank thx welcome soo alright tho idk imo imho tbh
  btw fwiw iirc afaik afaict tldr smh ngl irl fyi omg wtf
  lol lmao lmfao rofl haha hehe yay ugh meh huh hmm umm uhh
  ahh ohh aww
  # verbs that carry no topic
  gets getting gotten goes going went gone makes making made takes
  taking took taken give gives giving gave given comes coming say
  says saying tell tells told think thinks thinking thought know
  knows knew known sees seeing saw seen look looks looking looked
  want wants wanted wanting need needs needed seem seems seemed
  feel feels felt use used using let put keep kept try tried
  trying mean means meant guess likes liked go doing did
  # nouns and adjectives that carry no topic
  thing stuff kind sort bit time people guy good great bad best
  better worse worst nice little whole last next first second able
  sure true right
  # number words: numbers are not keywords, spelled out or not
  zero two three four five six seven eight nine ten eleven
  twelve twenty thirty forty fifty hundred thousand million billion
  half once twice
`);

/**
 * Reddit's own vocabulary: placeholders for deleted content, edit markers,
 * voting and thread mechanics. They appear in every subreddit, so they would
 * drown the words that tell subreddits apart. Also the leftovers of URLs,
 * HTML entities and file names that an upstream markdown stripper can miss.
 */
const REDDIT_NOISE = wordList(`
  deleted removed edit edited eta upvote upvoted downvote downvoted
  karma repost crosspost xpost post posted posting comment commented
  thread subreddit sub mod automoderator reply replied link http https
  www com org net html htm php jpg jpeg png gif gifv webp
  mp4 amp nbsp quot apos x200b utm redd
`);

/** Every word the keyword extractor drops, lower-case. */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  ...naturalStopWords,
  ...CONVERSATIONAL_ENGLISH,
  ...REDDIT_NOISE,
]);

/** Lower-case word in, true when it is never a keyword. */
export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}
