import { detectLanguage } from '@app/nlp/domain/language';

describe('detectLanguage', () => {
  it.each([
    'I think this is the best thing that has happened to the sub in years',
    "honestly don't know why people keep saying that, it's fine",
    'THIS IS THE WORST GAME I HAVE EVER PLAYED',
    'I don\u2019t think that\u2019s right at all',
  ])('recognises English: %j', (text) => {
    expect(detectLanguage(text)).toBe('en');
  });

  it.each([
    ['French', 'Je ne sais pas pourquoi mais ce film est très bien'],
    ['Spanish', 'No me gusta nada de la película, es muy aburrida'],
    ['German', 'Ich weiß nicht, was ich machen will, so ist das Leben'],
    ['Portuguese', 'Eu não sei o que fazer com isso, é muito difícil'],
    ['Dutch', 'Ik weet niet wat ik moet doen met dit'],
    ['Indonesian', 'Saya tidak tahu apa yang terjadi dengan ini'],
  ])('marks %s as non-English', (_language, text) => {
    expect(detectLanguage(text)).toBe('non-en');
  });

  it.each([
    ['Russian', 'Это очень плохой фильм'],
    ['Chinese', '这个电影很好看'],
    ['Japanese', 'この映画はとても面白かった'],
    ['Arabic', 'هذا الفيلم رائع جدا'],
  ])('marks %s script as non-English', (_language, text) => {
    expect(detectLanguage(text)).toBe('non-en');
  });

  it.each(['', 'lol', 'great game', '😂😂😂', '!!!', '12 34'])(
    'calls very short text %j unknown',
    (text) => {
      expect(detectLanguage(text)).toBe('unknown');
    },
  );

  it('does not call English without function words foreign on their absence alone', () => {
    const chant = 'Yay yay yay yay yay yay yay yay yay yay yay yay #mets';
    expect(detectLanguage(chant)).toBe('unknown');
  });

  it('calls a long text without English function words but with accented letters non-English', () => {
    expect(
      detectLanguage(
        'Naprawdę świetny mecz wczoraj, gratulacje całej drużynie, kibice śpiewali głośno cały czas',
      ),
    ).toBe('non-en');
  });

  it('does not let an English word that other languages share tip the balance', () => {
    // "die", "was", "so" are not counted as foreign.
    expect(detectLanguage('I hope you die in a fire, that was so rude of you')).toBe('en');
  });

  it('reads only the start of a very long text', () => {
    const english = 'this is the sort of thing that I like to see here. '.repeat(500);
    expect(detectLanguage(english + 'y no me gusta nada de la película '.repeat(500))).toBe('en');
  });
});
