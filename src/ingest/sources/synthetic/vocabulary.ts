// Word lists for the synthetic source. The sentiment-bearing words are common
// English opinion words so that any lexicon-based scorer reacts to them.

export const POSITIVE_PHRASES = [
  'really love',
  'absolutely great',
  'awesome',
  'so helpful',
  'brilliant',
  'fantastic',
  'happy with',
  'excellent',
  'beautiful',
  'impressive',
  'the best',
  'glad about',
  'pretty good',
  'nice',
  'wonderful',
] as const;

export const NEGATIVE_PHRASES = [
  'hate',
  'terrible',
  'awful',
  'really disappointed with',
  'angry about',
  'the worst',
  'sad about',
  'annoyed by',
  'broken',
  'horrible',
  'useless',
  'bad',
  'frustrated with',
  'ugly',
  'a total failure',
] as const;

export const TOPICS = [
  'the new update',
  'this season',
  'the latest release',
  'my first build',
  'the election coverage',
  'the customer support',
  'this recipe',
  'the patch notes',
  'the trailer',
  'remote work',
  'the transit system',
  'the price increase',
  'this library',
  'the final episode',
  'the referee',
  'machine learning',
  'the weather lately',
  'my landlord',
  'the new stadium',
  'open source',
] as const;

export const NEUTRAL_FILLERS = [
  'Has anyone else tried it?',
  'Posting this here for discussion.',
  'Not sure what to make of it yet.',
  'Source is in the comments.',
  'Edit: formatting.',
  'Curious what people here think.',
  'Long time lurker, first post.',
  'Just my two cents.',
] as const;

export const AUTHOR_ADJECTIVES = [
  'quiet',
  'rusty',
  'lucky',
  'brave',
  'sleepy',
  'clever',
  'salty',
  'cosmic',
  'tiny',
  'grumpy',
] as const;

export const AUTHOR_NOUNS = [
  'otter',
  'falcon',
  'potato',
  'wizard',
  'panda',
  'comet',
  'badger',
  'cactus',
  'lobster',
  'pixel',
] as const;
