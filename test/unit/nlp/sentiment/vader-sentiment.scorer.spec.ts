import {
  DEFAULT_MAX_CHARS,
  VaderSentimentScorer,
  type VaderSentiment,
} from '@app/nlp/domain/vader/vader-sentiment.scorer';

/*
 * Expected values are worked out by hand from the method's constants and the
 * lexicon file (node_modules/vader-sentiment/vader_lexicon.txt), e.g.
 * good 1.9, bad -2.5, great 3.1, terrible -2.1, fun 2.3, like 1.5, nice 1.8,
 * kind 2.4, no -1.2, problem -1.7, doubt -1.5, shit -2.6, stop -1.2, ":)" 2.0,
 * ":d" 2.3. The words "the", "movie", "was", "film", "food", "service", "way",
 * "game", "option", "am", "of", "bus" are not in the lexicon.
 *
 * compound = x / sqrt(x^2 + 15), so for example 1.9 -> 1.9 / sqrt(3.61 + 15) = 0.4404.
 * Constants: booster 0.293 (x0.95 two words back, x0.9 three back), caps 0.733,
 * negation x-0.74, "but" x0.5 before / x1.5 after, "!" 0.292 (max 4),
 * "??"/"???" 0.18 each, more than three "?" 0.96.
 */
const scorer = new VaderSentimentScorer();

function score(text: string): VaderSentiment {
  const result = scorer.score(text);
  if (result === null) throw new Error(`expected a score for ${JSON.stringify(text)}`);
  return result;
}

function compound(text: string): number {
  return score(text).score;
}

describe('VaderSentimentScorer', () => {
  describe('lexicon valence and normalisation', () => {
    it('scores a single word with its lexicon valence, normalised', () => {
      // 1.9 / sqrt(1.9^2 + 15) = 1.9 / 4.3139 = 0.4404
      const result = score('good');
      expect(result.score).toBeCloseTo(0.4404, 4);
      expect(result.label).toBe('positive');
      // One sentiment word: pos_sum = 1.9 + 1 = 2.9 of a total 2.9.
      expect(result.positive).toBeCloseTo(1, 6);
      expect(result.neutral).toBe(0);
      expect(result.negative).toBe(0);
      expect(result.truncated).toBe(false);
    });

    it('splits the text into positive, neutral and negative shares', () => {
      // the, movie, was: 3 neutral; good: 1.9 + 1 = 2.9. Total 5.9.
      const result = score('The movie was good');
      expect(result.score).toBeCloseTo(0.4404, 4);
      expect(result.positive).toBeCloseTo(2.9 / 5.9, 6); // 0.4915
      expect(result.neutral).toBeCloseTo(3 / 5.9, 6); // 0.5085
      expect(result.negative).toBe(0);
    });

    it('weighs mixed texts by mass: magnitude + 1 per sentiment word, 1 per neutral word', () => {
      // good 1.9 + bad -2.5 = -0.6 -> -0.6 / sqrt(0.36 + 15) = -0.1531
      // positive mass 2.9, negative mass 3.5, total 6.4
      const result = score('good bad');
      expect(result.score).toBeCloseTo(-0.1531, 4);
      expect(result.positive).toBeCloseTo(2.9 / 6.4, 6);
      expect(result.negative).toBeCloseTo(3.5 / 6.4, 6);
      expect(result.neutral).toBe(0);
    });

    it('labels with the ±0.05 rule', () => {
      expect(score('bad').label).toBe('negative'); // -2.5 / sqrt(21.25) = -0.5423
      expect(compound('bad')).toBeCloseTo(-0.5423, 4);
      expect(score('the movie').label).toBe('neutral');
      expect(compound('the movie')).toBe(0);
    });

    it('returns null for empty, deleted and removed texts, and neutral for bare punctuation', () => {
      expect(scorer.score('')).toBeNull();
      expect(scorer.score('   \n ')).toBeNull();
      expect(scorer.score('[deleted]')).toBeNull();
      expect(scorer.score('[removed]')).toBeNull();
      // Tokens of punctuation only are dropped; nothing left but a neutral result.
      expect(score('... -').score).toBe(0);
      expect(score('... -').neutral).toBe(1);
    });

    it('drops single letters and strips punctuation around words', () => {
      // "I" and "a" are not words to the method; "good," is "good".
      expect(compound('I had a good, day')).toBeCloseTo(0.4404, 4);
      expect(compound('"good"')).toBeCloseTo(0.4404, 4);
    });

    it('accepts an injected lexicon', () => {
      const custom = new VaderSentimentScorer({ lexicon: new Map([['meh', -0.5]]) });
      // -0.5 / sqrt(0.25 + 15) = -0.1280
      expect(custom.score('meh')?.score).toBeCloseTo(-0.128, 4);
      expect(custom.score('good')?.score).toBe(0);
    });
  });

  describe('boosters and dampeners', () => {
    it('adds 0.293 for a booster right before the word', () => {
      // 1.9 + 0.293 = 2.193 -> 2.193 / sqrt(4.8092 + 15) = 0.4927
      expect(compound('very good')).toBeCloseTo(0.4927, 4);
      expect(compound('The movie was very good')).toBeCloseTo(0.4927, 4);
    });

    it('weighs a booster two words back at 95% and three back at 90%', () => {
      // very very good: 1.9 + 0.293 + 0.293 * 0.95 = 2.47135 -> 0.5379
      expect(compound('very very good')).toBeCloseTo(0.5379, 4);
      // so the film good: "so" three back: 1.9 + 0.293 * 0.9 = 2.1637 -> 0.4877
      expect(compound('so the film good')).toBeCloseTo(0.4877, 4);
    });

    it('pushes negative words further down', () => {
      // -2.5 - 0.293 = -2.793 -> -0.5849
      expect(compound('very bad')).toBeCloseTo(-0.5849, 4);
    });

    it('moves valences towards zero with dampeners', () => {
      // 1.9 - 0.293 = 1.607 -> 0.3832
      expect(compound('slightly good')).toBeCloseTo(0.3832, 4);
      // -2.5 + 0.293 = -2.207 -> -0.4951
      expect(compound('slightly bad')).toBeCloseTo(-0.4951, 4);
    });
  });

  describe('ALL CAPS emphasis', () => {
    it('adds 0.733 to a capitalised sentiment word when the text mixes case', () => {
      // 1.9 + 0.733 = 2.633 -> 2.633 / sqrt(6.9327 + 15) = 0.5622
      expect(compound('The movie was GOOD')).toBeCloseTo(0.5622, 4);
    });

    it('ignores caps when the whole text is capitalised', () => {
      expect(compound('THE MOVIE WAS GOOD')).toBeCloseTo(0.4404, 4);
    });

    it('adds 0.733 to a capitalised booster', () => {
      // very -> 0.293 + 0.733 = 1.026; 1.9 + 1.026 = 2.926 -> 0.6028
      expect(compound('the VERY good film')).toBeCloseTo(0.6028, 4);
    });

    it('does not treat an emoticon such as :D as shouting', () => {
      // great 3.1 + ":d" 2.3 = 5.4 -> 5.4 / sqrt(29.16 + 15) = 0.8126 (no caps bonus)
      expect(compound('great :D')).toBeCloseTo(0.8126, 4);
    });
  });

  describe('negation', () => {
    it('flips and shrinks the word after a negation', () => {
      // 1.9 * -0.74 = -1.406 -> -1.406 / sqrt(1.9768 + 15) = -0.3412
      expect(compound('not good')).toBeCloseTo(-0.3412, 4);
      expect(score('not good').label).toBe('negative');
    });

    it('applies boosters before negation', () => {
      // (1.9 + 0.293) * -0.74 = -1.62282 -> -0.3865
      expect(compound('not very good')).toBeCloseTo(-0.3865, 4);
    });

    it('reaches three words back', () => {
      // not, the, film, good: "not" three back -> 1.9 * -0.74 = -1.406 -> -0.3412
      expect(compound('not the film good')).toBeCloseTo(-0.3412, 4);
    });

    it("recognises any n't contraction and curly apostrophes", () => {
      // "mayn't" is not in the negation list but contains n't.
      expect(compound("mayn't good")).toBeCloseTo(-0.3412, 4);
      // like 1.5 * -0.74 = -1.11 -> -1.11 / sqrt(1.2321 + 15) = -0.2755
      expect(compound('don\u2019t like')).toBeCloseTo(-0.2755, 4);
    });

    it('reads "never so" as emphasis, not negation', () => {
      // so: 1.9 + 0.293 = 2.193; never before "so": x1.25 = 2.74125 -> 0.5777
      expect(compound('never so good')).toBeCloseTo(0.5777, 4);
    });

    it('reads "without a doubt" as certainty', () => {
      // doubt -1.5 negated by "without": 1.11. good: "without" two back, but followed by
      // "doubt" -> not negated: 1.9. 1.11 + 1.9 = 3.01 -> 0.6136
      expect(compound('without a doubt good')).toBeCloseTo(0.6136, 4);
    });

    it('uses "no" as a negation before a sentiment word, and as a word on its own', () => {
      // "no" next to "good" scores 0 itself; good: 1.9 * -0.74 = -1.406 -> -0.3412
      expect(compound('no good')).toBeCloseTo(-0.3412, 4);
      // problem -1.7 * -0.74 = 1.258 -> 0.3089
      expect(compound('no problem')).toBeCloseTo(0.3089, 4);
      // "way" is not a sentiment word, so "no" keeps its own -1.2 -> -0.2960
      expect(compound('no way')).toBeCloseTo(-0.296, 4);
    });
  });

  describe('contrastive "but"', () => {
    it('halves what comes before and adds half to what follows', () => {
      // good 1.9 * 0.5 = 0.95; terrible -2.1 * 1.5 = -3.15; sum -2.2 -> -0.4939
      expect(compound('The food was good but the service was terrible')).toBeCloseTo(-0.4939, 4);
      // 0.95 alone -> 0.95 / sqrt(0.9025 + 15) = 0.2382
      expect(compound('good but the service')).toBeCloseTo(0.2382, 4);
    });
  });

  describe('"least"', () => {
    it('negates the word after "least" unless it is "at least" or "very least"', () => {
      // the, least, good: 1.9 * -0.74 = -1.406 -> -0.3412
      expect(compound('the least good option')).toBeCloseTo(-0.3412, 4);
      expect(compound('at least good')).toBeCloseTo(0.4404, 4);
      expect(compound('least good')).toBeCloseTo(-0.3412, 4);
    });
  });

  describe('"kind of"', () => {
    it('dampens the next word and does not count "kind" as positive', () => {
      // "kind" (2.4 alone) scores 0; "of" dampens: 1.9 - 0.293 = 1.607 -> 0.3832
      expect(compound('kind of good')).toBeCloseTo(0.3832, 4);
      // sort of bad: -2.5 + 0.293 = -2.207 -> -0.4951
      expect(compound('sort of bad')).toBeCloseTo(-0.4951, 4);
    });

    it('still scores "kind" when it means kind', () => {
      // 2.4 + 0.293 = 2.693 -> 0.5709
      expect(compound('so kind')).toBeCloseTo(0.5709, 4);
    });
  });

  describe('idioms and special phrases', () => {
    it('replaces the words of a phrase with the phrase valence', () => {
      // "shit" -2.6 becomes 3 in "the shit": 3 / sqrt(9 + 15) = 0.6124
      expect(compound('this movie is the shit')).toBeCloseTo(0.6124, 4);
      // "yeah" 1.2 no longer counts; "yeah right" -2 -> -0.4588
      expect(compound('yeah right')).toBeCloseTo(-0.4588, 4);
      // kiss 1.8 and death -2.9 become one -1.5 -> -1.5 / sqrt(17.25) = -0.3612
      expect(compound('kiss of death')).toBeCloseTo(-0.3612, 4);
      // "a" is dropped the same way in the phrase and in the text: 2 -> 0.4588
      expect(compound('break a leg')).toBeCloseTo(0.4588, 4);
      expect(compound('under the weather')).toBeCloseTo(-0.4588, 4);
    });

    it('uses multi-word lexicon entries', () => {
      // "fed up" is -1.8 in the lexicon: -1.8 / sqrt(3.24 + 15) = -0.4215
      expect(compound('I am fed up')).toBeCloseTo(-0.4215, 4);
    });

    it('neutralises "bus stop"', () => {
      // "stop" alone is -1.2; the phrase is 0.
      expect(compound('at the bus stop')).toBe(0);
      expect(score('at the bus stop').label).toBe('neutral');
    });
  });

  describe('punctuation emphasis', () => {
    it('adds 0.292 per exclamation mark, up to four', () => {
      // 1.9 + 0.292 = 2.192 -> 0.4926
      expect(compound('good!')).toBeCloseTo(0.4926, 4);
      // 1.9 + 4 * 0.292 = 3.068 -> 0.6209 (six marks count as four)
      expect(compound('good!!!!!!')).toBeCloseTo(0.6209, 4);
      // away from zero for negative texts: -2.5 - 0.292 = -2.792 -> -0.5848
      expect(compound('bad!')).toBeCloseTo(-0.5848, 4);
    });

    it('adds 0.18 per question mark from two to three, 0.96 beyond', () => {
      expect(compound('good?')).toBeCloseTo(0.4404, 4); // one "?" is a plain question
      expect(compound('good??')).toBeCloseTo(0.504, 4); // 1.9 + 0.36 = 2.26
      expect(compound('good????')).toBeCloseTo(0.594, 4); // 1.9 + 0.96 = 2.86
    });

    it('leaves texts without sentiment at zero', () => {
      expect(compound('the movie!!!')).toBe(0);
    });

    it('adds the emphasis to the dominant share', () => {
      // pos_sum = 2.9 + 0.292; one sentiment token only -> positive 1
      expect(score('good!').positive).toBeCloseTo(1, 6);
    });
  });

  describe('emoticons and emoji', () => {
    it('scores emoticons from the lexicon', () => {
      // fun 2.3 + ":)" 2.0 = 4.3 -> 4.3 / sqrt(18.49 + 15) = 0.7430
      expect(compound('that was fun :)')).toBeCloseTo(0.743, 4);
      // "<3" 1.9 -> 0.4404
      expect(compound('<3')).toBeCloseTo(0.4404, 4);
      // ":(" -1.9 -> -0.4404
      expect(compound(':(')).toBeCloseTo(-0.4404, 4);
    });

    it('scores emoji from the emoji table', () => {
      // great 3.1 + 🔥 1.8 = 4.9 -> 4.9 / sqrt(24.01 + 15) = 0.7845
      expect(compound('great game 🔥')).toBeCloseTo(0.7845, 4);
      // 😡 -2.8 -> -2.8 / sqrt(7.84 + 15) = -2.8 / 4.7791 = -0.5859
      expect(compound('😡')).toBeCloseTo(-0.5859, 4);
    });

    it('splits emoji off words and folds skin tones and ZWJ sequences into the base emoji', () => {
      // nice 1.8 + 😀 2.2 = 4.0 -> 4 / sqrt(31) = 0.7184
      expect(compound('nice😀')).toBeCloseTo(0.7184, 4);
      // 👍🏽 is 👍 2.0 -> 0.4588
      expect(compound('👍🏽')).toBeCloseTo(0.4588, 4);
      // ❤️‍🔥 (heart on fire) is ❤ 3.0 -> 0.6124
      expect(compound('❤️‍🔥')).toBeCloseTo(0.6124, 4);
    });

    it('negates emoji like words', () => {
      // 2.0 * -0.74 = -1.48 -> -1.48 / sqrt(2.1904 + 15) = -0.3570
      expect(compound('not 👍')).toBeCloseTo(-0.357, 4);
    });

    it('counts unknown emoji as neutral tokens', () => {
      // good 2.9 of 2.9 + 1 neutral
      const result = score('good 🍕');
      expect(result.score).toBeCloseTo(0.4404, 4);
      expect(result.neutral).toBeCloseTo(1 / 3.9, 6);
    });
  });

  describe('character budget', () => {
    it('scores only the first maxChars characters, cut at a word boundary', () => {
      const short = new VaderSentimentScorer({ maxChars: 20 });
      // 29 characters; the cut at 20 would split the fifth "good", so it backs off to the
      // space at 19: four times 1.9 = 7.6 -> 7.6 / sqrt(57.76 + 15) = 0.8910
      const result = short.score('good good good good good good');
      expect(result?.truncated).toBe(true);
      expect(result?.score).toBeCloseTo(0.891, 4);
      expect(short.score('good good')?.truncated).toBe(false);
    });

    it('defaults to 10,000 characters and rejects a non-positive budget', () => {
      expect(DEFAULT_MAX_CHARS).toBe(10_000);
      expect(scorer.maxChars).toBe(10_000);
      expect(score('good '.repeat(2_500)).truncated).toBe(true);
      expect(() => new VaderSentimentScorer({ maxChars: 0 })).toThrow(RangeError);
    });
  });
});
