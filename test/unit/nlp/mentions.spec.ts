import {
  extractMentions,
  MAX_MENTION_TEXT_LENGTH,
  MAX_MENTIONS_PER_KIND,
  type Mentions,
} from '@app/nlp/domain/mentions';
import { CASSETTES, childrenOf, listingBodies } from '../../support/fake-reddit/cassettes';

const NONE: Mentions = { subreddits: [], users: [], domains: [], tickers: [], hashtags: [] };

function only(partial: Partial<Mentions>): Mentions {
  return { ...NONE, ...partial };
}

describe('extractMentions', () => {
  it('finds nothing in empty or plain text', () => {
    expect(extractMentions('')).toEqual(NONE);
    expect(extractMentions('Trust me, it is worth it.')).toEqual(NONE);
    expect(extractMentions('[deleted]')).toEqual(NONE);
  });

  describe('subreddits', () => {
    it('finds r/name and /r/name, lower-cased and deduplicated, in order', () => {
      expect(
        extractMentions(
          'well i guess im avoiding /r/creepypms now, also r/AskReddit and r/askreddit',
        ),
      ).toEqual(only({ subreddits: ['creepypms', 'askreddit'] }));
      expect(extractMentions('/r/madlads\n\n').subreddits).toEqual(['madlads']);
      expect(extractMentions('(r/pics) [r/aww] *r/funny*, r/de.').subreddits).toEqual([
        'pics',
        'aww',
        'funny',
        'de',
      ]);
    });

    it("applies Reddit's name rules", () => {
      expect(
        extractMentions('r/a and r/_private and r/way_too_long_for_a_subreddit').subreddits,
      ).toEqual([]);
      expect(extractMentions('r/abcdefghijklmnopqrstu (21) r/Python_3').subreddits).toEqual([
        'abcdefghijklmnopqrstu',
        'python_3',
      ]);
      expect(extractMentions('r/AskReddit/wiki/index and r/foo-bar').subreddits).toEqual([
        'askreddit',
        'foo',
      ]);
    });

    it('ignores r/ inside words and paths, and capital R/', () => {
      expect(extractMentions('her/r/thing, 4r/x, foo/r/bar, R/Something').subreddits).toEqual([]);
    });

    it('counts a link to reddit.com/r/x as a subreddit and as the domain reddit.com', () => {
      expect(
        extractMentions(
          'See https://old.reddit.com/r/wallstreetbets/comments/abc/x/ and reddit.com/r/Pics',
        ),
      ).toEqual(only({ subreddits: ['wallstreetbets', 'pics'], domains: ['reddit.com'] }));
    });

    it('keeps text order across links and plain mentions', () => {
      expect(
        extractMentions('r/first, then https://www.reddit.com/r/second/ then /r/third').subreddits,
      ).toEqual(['first', 'second', 'third']);
    });

    it('reads relative markdown links, as AutoModerator writes them', () => {
      const automod =
        'Per [rule 1](/r/AskReddit/wiki/index#wiki_-rule_1-), use of the text box is prohibited. ' +
        '[**message the mods**](https://www.reddit.com/message/compose?to=%2Fr%2FAskReddit&subject=hi)';
      expect(extractMentions(automod)).toEqual(
        only({ subreddits: ['askreddit'], domains: ['reddit.com'] }),
      );
    });
  });

  describe('users', () => {
    it('finds u/name, /u/name and /user/name, lower-cased', () => {
      expect(
        extractMentions('thanks u/DeepFuckingValue and /u/spez, cc /user/Some-Name_1 u/spez').users,
      ).toEqual(['deepfuckingvalue', 'spez', 'some-name_1']);
    });

    it('applies the 3-20 character rule and undoes markdown escapes', () => {
      expect(extractMentions('u/ab u/abcdefghijklmnopqrstu').users).toEqual([]);
      expect(extractMentions('u/abc and u/some\\_user').users).toEqual(['abc', 'some_user']);
    });

    it('reads reddit.com/user/ links', () => {
      expect(extractMentions('https://www.reddit.com/user/spez/comments')).toEqual(
        only({ users: ['spez'], domains: ['reddit.com'] }),
      );
    });

    it('ignores u/ inside words', () => {
      expect(extractMentions('you/u/x menu/items').users).toEqual([]);
    });
  });

  describe('domains', () => {
    it('takes the host of http(s) links, without www., lower-cased', () => {
      expect(
        extractMentions(
          'Read https://en.wikipedia.org/wiki/Foo_(bar) and http://WWW.BBC.co.uk/news?x=1.',
        ).domains,
      ).toEqual(['en.wikipedia.org', 'bbc.co.uk']);
    });

    it('reads markdown links and bare www. links', () => {
      expect(
        extractMentions(
          'Or use a [placeholder](http://i.imgur.com/AkC7sat.jpg), see www.example.org/page or ' +
            '<https://github.com/nestjs/nest>',
        ).domains,
      ).toEqual(['i.imgur.com', 'example.org', 'github.com']);
    });

    it('strips ports, credentials, mobile prefixes and trailing punctuation', () => {
      expect(
        extractMentions(
          'https://user:pw@Example.COM:8080/path. (https://m.youtube.com/watch?v=1), https://youtu.be/x!',
        ).domains,
      ).toEqual(['example.com', 'youtube.com', 'youtu.be']);
    });

    it('folds reddit front-ends into reddit.com, keeps redd.it', () => {
      expect(
        extractMentions('https://np.reddit.com/r/a https://i.redd.it/x.jpg https://redd.it/abc')
          .domains,
      ).toEqual(['reddit.com', 'i.redd.it', 'redd.it']);
    });

    it('ignores IP addresses, single-label hosts and bare host names', () => {
      expect(
        extractMentions('http://192.168.0.1/admin http://localhost:3000 google.com').domains,
      ).toEqual([]);
    });

    it('takes nothing else from inside a link', () => {
      expect(
        extractMentions('https://example.com/r/notasub/u/notauser?tag=#nottag&cash=$NOPE#frag'),
      ).toEqual(only({ domains: ['example.com'] }));
    });
  });

  describe('tickers', () => {
    it('finds $SYMBOL of 1-5 letters, upper-cased and deduplicated', () => {
      expect(extractMentions('$GME to the moon 🚀 $AMC $tsla $F $gme').tickers).toEqual([
        'GME',
        'AMC',
        'TSLA',
        'F',
      ]);
    });

    it('ignores prices, other currencies, long words, code variables and words around $', () => {
      expect(
        extractMentions('cost me $5, $5k, US$20, $2.50, $ABCDEF, $x, a$GME, $AB$ and $AAPL1')
          .tickers,
      ).toEqual([]);
    });

    it('ignores $ in code', () => {
      expect(extractMentions('run `echo $PATH` then\n```\n$HOME\n```\n$NVDA').tickers).toEqual([
        'NVDA',
      ]);
    });
  });

  describe('hashtags', () => {
    it('finds #tag, lower-cased and deduplicated', () => {
      expect(
        extractMentions('I love #MachineLearning and #AI, #machinelearning #café #tag_2').hashtags,
      ).toEqual(['machinelearning', 'ai', 'café', 'tag_2']);
    });

    it('ignores markdown headers at line start, issue numbers, C#, entities and fragments', () => {
      const text =
        '# Header\n#NotATag either\n  ## Another\n> #quoted header\nsee #123 and #2020 in C# and F#; ' +
        '&#x200B; &amp;#x200B; page#anchor ##double #a';
      expect(extractMentions(text).hashtags).toEqual([]);
    });

    it('ignores # in code blocks', () => {
      expect(
        extractMentions('```\n#include <stdio.h>\n x #define\n```\nok #real').hashtags,
      ).toEqual(['real']);
    });
  });

  describe('bounds and determinism', () => {
    it(`keeps at most ${MAX_MENTIONS_PER_KIND} of each kind, or options.maxPerKind`, () => {
      const many = Array.from(
        { length: 25 },
        (_, i) =>
          `r/sub${i} u/user${i} $T${'ABCDEFGHIJKLMNOPQRSTUVWXY'[i]} #tag${i} https://site${i}.com`,
      ).join(' ');
      const mentions = extractMentions(many);
      for (const list of Object.values(mentions) as string[][]) {
        expect(list).toHaveLength(MAX_MENTIONS_PER_KIND);
      }
      expect(mentions.subreddits[0]).toBe('sub0');
      expect(mentions.domains[9]).toBe('site9.com');
      expect(extractMentions(many, { maxPerKind: 2 }).hashtags).toEqual(['tag0', 'tag1']);
      expect(extractMentions(many, { maxPerKind: 0 })).toEqual(NONE);
      expect(() => extractMentions(many, { maxPerKind: -1 })).toThrow(RangeError);
    });

    it(`reads only the first ${MAX_MENTION_TEXT_LENGTH} characters of a very long text, quickly`, () => {
      const huge =
        'r/first #tag $GME https://a.com '.padEnd(200, ' ') + 'word '.repeat(200_000) + 'r/late';
      const started = Date.now();
      const mentions = extractMentions(huge);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(mentions).toEqual({
        subreddits: ['first'],
        users: [],
        domains: ['a.com'],
        tickers: ['GME'],
        hashtags: ['tag'],
      });
      expect(extractMentions('#'.repeat(100_000) + '$'.repeat(100_000))).toEqual(NONE);
      const straddling = ' '.repeat(MAX_MENTION_TEXT_LENGTH - 15) + 'https://www.example.com/page';
      expect(extractMentions(straddling).domains).toEqual([]);
    });

    it('is deterministic and returns fresh arrays', () => {
      const text = 'r/bb r/aa $B $A #bb #aa https://b.com https://a.com u/bbb u/aaa';
      const first = extractMentions(text);
      first.subreddits.push('mutated');
      extractMentions('r/other #other');
      expect(extractMentions(text)).toEqual({
        subreddits: ['bb', 'aa'],
        users: ['bbb', 'aaa'],
        domains: ['b.com', 'a.com'],
        tickers: ['B', 'A'],
        hashtags: ['bb', 'aa'],
      });
    });

    it('handles emoji and CJK around mentions', () => {
      expect(extractMentions('😂😂 r/funny 🚀 $GME 今日は #日本 #東京タワー')).toEqual(
        only({ subreddits: ['funny'], tickers: ['GME'], hashtags: ['日本', '東京タワー'] }),
      );
    });
  });

  describe('on recorded Reddit items', () => {
    const comments = listingBodies(CASSETTES.listingComments, 'comments').flatMap((body) =>
      childrenOf(body),
    );
    const submissions = listingBodies(CASSETTES.listingNew, 'new').flatMap((body) =>
      childrenOf(body),
    );

    it('returns bounded, normalised mentions for every comment and submission', () => {
      const texts = [...comments, ...submissions].flatMap((child) =>
        ['body', 'selftext', 'title', 'url']
          .map((field) => child.data[field])
          .filter((value): value is string => typeof value === 'string'),
      );
      expect(texts.length).toBeGreaterThanOrEqual(200);
      for (const text of texts) {
        const m = extractMentions(text);
        for (const list of Object.values(m) as string[][]) {
          expect(list.length).toBeLessThanOrEqual(MAX_MENTIONS_PER_KIND);
          expect(new Set(list).size).toBe(list.length);
        }
        for (const name of m.subreddits) expect(name).toMatch(/^[a-z0-9][a-z0-9_]{1,20}$/);
        for (const name of m.users) expect(name).toMatch(/^[a-z0-9_-]{3,20}$/);
        for (const host of m.domains) expect(host).toMatch(/^[a-z0-9.-]+\.[a-z]{2,}$/);
        for (const symbol of m.tickers) expect(symbol).toMatch(/^[A-Z]{1,5}$/);
        expect(extractMentions(text)).toEqual(m);
      }
    });

    it('finds the subreddits and links real comments mention', () => {
      const all = comments
        .map((child) => child.data.body)
        .filter((body): body is string => typeof body === 'string')
        .map((body) => extractMentions(body));
      const subreddits = new Set(all.flatMap((m) => m.subreddits));
      const domains = new Set(all.flatMap((m) => m.domains));
      expect([...subreddits]).toEqual(
        expect.arrayContaining(['creepypms', 'askreddit', 'madlads']),
      );
      expect([...domains]).toEqual(expect.arrayContaining(['reddit.com', 'i.imgur.com']));
    });
  });
});
