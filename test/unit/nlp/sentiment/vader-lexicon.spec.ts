import {
  defaultVaderLexiconPath,
  loadVaderLexicon,
  parseVaderLexicon,
} from '@app/nlp/domain/vader/vader-lexicon';

describe('parseVaderLexicon', () => {
  it('reads token and mean valence from tab-separated lines, ignoring the other fields', () => {
    const lexicon = parseVaderLexicon(
      'good\t1.9\t0.9434\t[2, 1, 2]\n:)\t2.0\t1.18322\t[2, 2, 1]\r\n\nbroken line\n',
    );
    expect(lexicon.get('good')).toBe(1.9);
    expect(lexicon.get(':)')).toBe(2);
    expect(lexicon.size).toBe(2);
  });

  it('keeps the later of duplicate lines and prefers lower-case entries over folded ones', () => {
    const lexicon = parseVaderLexicon(
      ':P\t1.4\t0\t[]\n:p\t1.0\t0\t[]\n:D\t2.3\t0\t[]\nlol\t2.9\t0\t[]\nlol\t1.8\t0\t[]',
    );
    expect(lexicon.get(':p')).toBe(1.0);
    expect(lexicon.get(':d')).toBe(2.3);
    expect(lexicon.has(':D')).toBe(false);
    expect(lexicon.get('lol')).toBe(1.8);
  });

  it('keeps multi-word entries as they are', () => {
    expect(parseVaderLexicon('fed up\t-1.8\t1.2\t[]').get('fed up')).toBe(-1.8);
  });
});

describe('loadVaderLexicon', () => {
  it('loads the lexicon file of the vader-sentiment package once', () => {
    expect(defaultVaderLexiconPath()).toMatch(/vader-sentiment[\\/]vader_lexicon\.txt$/);
    const lexicon = loadVaderLexicon();
    expect(lexicon.size).toBeGreaterThan(7_000);
    expect(lexicon.get('good')).toBe(1.9);
    expect(lexicon.get('bad')).toBe(-2.5);
    expect(loadVaderLexicon()).toBe(lexicon);
  });
});
