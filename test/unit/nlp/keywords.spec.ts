import { foldPlural } from '@app/nlp/domain/keyword-words';
import {
  DEFAULT_MAX_KEYWORDS,
  extractKeywords,
  type Keyword,
  MAX_KEYWORD_TEXT_LENGTH,
} from '@app/nlp/domain/keywords';
import { STOP_WORDS } from '@app/nlp/domain/stopwords';
import { CASSETTES, childrenOf, listingBodies } from '../../support/fake-reddit/cassettes';

/** key -> count, for assertions that do not care about order. */
function asRecord(keywords: Keyword[]): Record<string, number> {
  return Object.fromEntries(keywords.map(({ key, count }) => [key, count]));
}

function keys(text: string, max?: number): string[] {
  return extractKeywords(text, max === undefined ? {} : { max }).map((k) => k.key);
}

describe('extractKeywords', () => {
  describe('words', () => {
    it('returns nothing for empty, blank or all-noise text', () => {
      expect(extractKeywords('')).toEqual([]);
      expect(extractKeywords('   \n\t ')).toEqual([]);
      expect(extractKeywords('[deleted]')).toEqual([]);
      expect(extractKeywords('[removed]')).toEqual([]);
      expect(extractKeywords("I'm sorry ")).toEqual([]);
      expect(extractKeywords('lol')).toEqual([]);
    });

    it('lower-cases keys and counts repeats across case', () => {
      expect(extractKeywords('Python. python? PYTHON!')).toEqual([{ key: 'python', count: 3 }]);
    });

    it("drops natural's stop words, conversational fillers and Reddit's own vocabulary", () => {
      const text =
        'EDIT: honestly I just think the mods removed my post lol. Upvote the comment, ' +
        'people, it was really about the Toronto Raptors.';
      expect(keys(text)).toEqual(['toronto raptor']);
      for (const word of ['the', 'about', 'just', 'really', 'edit', 'deleted', 'removed', 'lol']) {
        expect(STOP_WORDS.has(word)).toBe(true);
      }
    });

    it('drops numbers, numbers with units, and words under 3 characters', () => {
      const text =
        'In 2024, 1,000 of us paid $30 at 5pm on the 30th for 100k of 4K 1080p in the 90s';
      expect(keys(text)).toEqual(['paid']);
      expect(keys('AI is ok, so is VR; Go and C are fine languages')).toEqual(['fine language']);
    });

    it('keeps words that mix letters and digits when they are names', () => {
      expect(keys('4chan, ps5 and covid-19 vaccines')).toEqual([
        '4chan',
        'ps5',
        'covid',
        'vaccine',
      ]);
    });

    it('drops contractions, keeps the owner of a possessive', () => {
      expect(keys("Don't, shouldn't, you'll, we're, I'd, they've, I'm; it’s Trudeau's")).toEqual([
        'trudeau',
      ]);
      expect(keys("Trudeau has made us look like a bunch of sissy's ")).toEqual([
        'trudeau',
        'bunch',
        'sissy',
      ]);
    });

    it('drops laughter and interjections, and cuts letters repeated 3+ times to two', () => {
      expect(keys('hahaha lmaooo hmmm ugh ahhh lololol xD grrr')).toEqual([]);
      expect(keys('sooooo coooool, the goooood stuff')).toEqual(['cool']);
    });

    it('folds plurals so "updates" and "update" share a key', () => {
      expect(
        asRecord(extractKeywords('Updates! Another update. Updates, updates? Tomorrow.')),
      ).toEqual({ update: 4, tomorrow: 1 });
      expect(keys('companies, movies, boxes, churches. headaches, heroes, viruses')).toEqual([
        'company',
        'movie',
        'box',
        'church',
        'headache',
        'hero',
        'virus',
      ]);
    });

    it('keeps accented Latin, Cyrillic and Greek words; skips unspaced scripts (CJK, Thai)', () => {
      expect(keys('Un café crème, délicieux')).toEqual(['café crème', 'délicieux']);
      expect(keys('Привет, дорогой друг')).toEqual(['привет', 'дорогой друг']);
      expect(keys('Καλημέρα κόσμε!')).toEqual(['καλημέρα κόσμε']);
      expect(keys('今日はいい天気ですね。東京タワー')).toEqual([]);
      expect(keys('ภาษาไทย')).toEqual([]);
      expect(keys('我爱 machine learning 真的')).toEqual(['machine learning']);
    });

    it('treats emoji as punctuation', () => {
      expect(extractKeywords('🔥🔥🔥')).toEqual([]);
      expect(keys('pizza 🍕 pasta 🍝 pizza')).toEqual(['pizza', 'pasta']);
      expect(keys('👨‍👩‍👧 family time 😂')).toEqual(['family']);
    });
  });

  describe('leftovers of links and markdown', () => {
    it('skips URLs, host names, file names and dotted abbreviations', () => {
      const text =
        'Source: https://www.nytimes.com/2024/01/01/world/europe/ukraine.html e.g. reddit.com or ' +
        'www.example.com, see image.png. Ukraine';
      expect(asRecord(extractKeywords(text))).toEqual({ source: 1, ukraine: 1 });
    });

    it('skips r/ and u/ mentions (extractMentions covers them)', () => {
      expect(keys('well i guess im avoiding /r/creepypms now, thanks u/some_user')).toEqual([
        'avoiding',
      ]);
    });

    it('ignores HTML entities and markdown emphasis', () => {
      expect(keys('&amp;#x200B; Tom &amp; Jerry &nbsp; &quot;classic&quot;')).toEqual([
        'tom',
        'jerry',
        'classic',
      ]);
      expect(keys('I **love** __machine learning__')).toEqual(['love', 'machine', 'learning']);
      expect(keys('**machine learning** is *fun*')).toEqual(['machine learning', 'fun']);
    });
  });

  describe('bigrams', () => {
    it('counts a two-word phrase as one bigram and not as its parts', () => {
      expect(extractKeywords('Machine learning.')).toEqual([{ key: 'machine learning', count: 1 }]);
      expect(asRecord(extractKeywords('Machine learning is hard. Machine learning pays.'))).toEqual(
        {
          'machine learning': 2,
          hard: 1,
          pay: 1,
        },
      );
    });

    it('does not join words split by punctuation, stop words, numbers or line breaks', () => {
      expect(keys('machine, learning')).toEqual(['machine', 'learning']);
      expect(keys('machine of learning')).toEqual(['machine', 'learning']);
      expect(keys('machine 42 learning')).toEqual(['machine', 'learning']);
      expect(keys('machine\nlearning')).toEqual(['machine', 'learning']);
      expect(keys('machine - learning')).toEqual(['machine', 'learning']);
      expect(keys('"machine" learning')).toEqual(['machine', 'learning']);
      expect(keys("company's fault")).toEqual(['company', 'fault']);
    });

    it('joins hyphenated words', () => {
      expect(keys('open-source')).toEqual(['open source']);
      expect(keys('Open source and open-source: same key')).toEqual(['open source', 'key']);
      expect(keys('Self-driving cars are here')).toEqual(['self driving', 'car']);
    });

    it('splits long phrases into words unless a pair is evidenced by a repeat or a hyphen', () => {
      expect(keys('I love machine learning models')).toEqual([
        'love',
        'machine',
        'learning',
        'model',
      ]);
      expect(
        extractKeywords('I love machine learning. Machine learning models are everywhere'),
      ).toEqual([
        { key: 'machine learning', count: 2 },
        { key: 'love', count: 1 },
        { key: 'model', count: 1 },
      ]);
      expect(keys('vhs player would auto-rewind tape')).toEqual([
        'vhs player',
        'auto rewind',
        'tape',
      ]);
    });

    it('folds the plural of the last word only', () => {
      expect(keys('Sports cars')).toEqual(['sports car']);
      expect(keys('neural networks vs neural network')).toEqual(['neural network']);
      expect(asRecord(extractKeywords('neural networks, neural network'))).toEqual({
        'neural network': 2,
      });
    });

    it('keeps repeated words as words', () => {
      expect(extractKeywords('Die die die')).toEqual([{ key: 'die', count: 3 }]);
      expect(extractKeywords('love love love having good friends')).toEqual([
        { key: 'love', count: 3 },
        { key: 'friend', count: 1 },
      ]);
      expect(extractKeywords('Bongo bongo')).toEqual([{ key: 'bongo', count: 2 }]);
    });
  });

  describe('ranking and bounds', () => {
    it('ranks by count, then by first occurrence', () => {
      const text = 'zebra apple mango. Mango; zebra, kiwi! mango? kiwi';
      expect(extractKeywords(text)).toEqual([
        { key: 'mango', count: 3 },
        { key: 'zebra', count: 2 },
        { key: 'kiwi', count: 2 },
        { key: 'apple', count: 1 },
      ]);
    });

    it(`keeps at most ${DEFAULT_MAX_KEYWORDS} by default, or options.max`, () => {
      const text = Array.from(
        { length: 30 },
        (_, i) => `topic${String.fromCharCode(97 + (i % 26))}${i}`,
      ).join(', ');
      expect(extractKeywords(text)).toHaveLength(DEFAULT_MAX_KEYWORDS);
      expect(keys(text, 3)).toEqual(['topica0', 'topicb1', 'topicc2']);
      expect(extractKeywords(text, { max: 0 })).toEqual([]);
      expect(extractKeywords(text, { max: 100 })).toHaveLength(30);
    });

    it('rejects a max that is not a non-negative integer', () => {
      for (const max of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => extractKeywords('text', { max })).toThrow(RangeError);
      }
    });

    it(`reads only the first ${MAX_KEYWORD_TEXT_LENGTH} characters of a very long text, quickly`, () => {
      const paragraph =
        'The quarterly earnings call mentioned inflation, tariffs and supply chains. ';
      const huge = paragraph.repeat(20_000) + ' zanzibar';
      const started = Date.now();
      const result = extractKeywords(huge);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(result.length).toBeLessThanOrEqual(DEFAULT_MAX_KEYWORDS);
      expect(result[0]?.count).toBeGreaterThan(100);
      expect(result.map((k) => k.key)).not.toContain('zanzibar');
      expect(extractKeywords('x'.repeat(1_000_000))).toEqual([]);
      const straddling = ' '.repeat(MAX_KEYWORD_TEXT_LENGTH - 4) + 'zanzibar';
      expect(extractKeywords(straddling)).toEqual([]);
    });

    it('is deterministic: same input, same output, whatever ran before', () => {
      const text =
        'To me? Probably Henry V with Kenneth Branagh. Had it on VHS and my vhs player would ' +
        'auto-rewind and spit out the tape. Would come home from work, plunk it into the player.';
      const first = extractKeywords(text);
      extractKeywords('something else entirely, with other words and machine learning');
      expect(extractKeywords(text)).toEqual(first);
      expect(JSON.stringify(extractKeywords(text))).toBe(JSON.stringify(first));
    });
  });

  describe('on recorded Reddit comments', () => {
    const bodies = listingBodies(CASSETTES.listingComments, 'comments')
      .flatMap((body) => childrenOf(body))
      .map((child) => child.data.body)
      .filter((body): body is string => typeof body === 'string');

    it('returns bounded, well-formed, ranked keywords for every body', () => {
      expect(bodies.length).toBeGreaterThanOrEqual(100);
      let nonEmpty = 0;
      for (const body of bodies) {
        const result = extractKeywords(body);
        if (result.length > 0) nonEmpty++;
        expect(result.length).toBeLessThanOrEqual(DEFAULT_MAX_KEYWORDS);
        for (const [i, { key, count }] of result.entries()) {
          expect(key).toBe(key.toLowerCase());
          expect(key).toMatch(/^\S{3,40}( \S{3,40})?$/);
          for (const part of key.split(' ')) expect(STOP_WORDS.has(part)).toBe(false);
          expect(Number.isInteger(count) && count >= 1).toBe(true);
          if (i > 0) expect(count).toBeLessThanOrEqual(result[i - 1]!.count);
        }
        expect(extractKeywords(body)).toEqual(result);
      }
      expect(nonEmpty / bodies.length).toBeGreaterThan(0.8);
    });

    it('finds the topic of real comments', () => {
      const find = (start: string): string => {
        const body = bodies.find((b) => b.startsWith(start));
        if (body === undefined) throw new Error(`no recorded comment starts with ${start}`);
        return body;
      };
      expect(keys(find("I'm from southern Ontario"))).toEqual(
        expect.arrayContaining(['southern ontario', 'auto industry', 'detroit']),
      );
      expect(keys(find('Hi there! Your post was removed'))[0]).toBe('text box');
      expect(keys(find('Seeing Don sucker punch'))).toEqual(
        expect.arrayContaining(['utz actor', 'scene', 'series']),
      );
    });
  });
});

describe('foldPlural', () => {
  it.each([
    ['updates', 'update'],
    ['companies', 'company'],
    ['stories', 'story'],
    ['movies', 'movie'],
    ['cookies', 'cookie'],
    ['ties', 'tie'],
    ['boxes', 'box'],
    ['classes', 'class'],
    ['buzzes', 'buzz'],
    ['quizzes', 'quiz'],
    ['churches', 'church'],
    ['wishes', 'wish'],
    ['headaches', 'headache'],
    ['niches', 'niche'],
    ['heroes', 'hero'],
    ['shoes', 'shoe'],
    ['causes', 'cause'],
    ['houses', 'house'],
    ['viruses', 'virus'],
    ['cases', 'case'],
    ['gases', 'gas'],
    ['crises', 'crisis'],
    ['knives', 'knife'],
    ['moves', 'move'],
    ['women', 'woman'],
    ['children', 'child'],
    ['days', 'day'],
    ['photos', 'photo'],
    ['sizes', 'size'],
  ])('%s -> %s', (plural, singular) => {
    expect(foldPlural(plural)).toBe(singular);
  });

  it.each([
    'news',
    'series',
    'species',
    'physics',
    'status',
    'famous',
    'analysis',
    'glass',
    'chaos',
    'texas',
    'windows',
    'axes',
    'bus',
    'data',
    'update',
  ])('leaves %s alone', (word) => {
    expect(foldPlural(word)).toBe(word);
  });
});
