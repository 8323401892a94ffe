import {
  decodeHtmlEntities,
  prepareRedditText,
  stripRedditMarkdown,
} from '@app/nlp/domain/reddit-text';

describe('prepareRedditText', () => {
  it.each([
    '[deleted]',
    '[removed]',
    '  [removed]\n',
    '[ Removed by Reddit ]',
    '[removed by moderator]',
  ])('marks %j as removed with no text to score', (body) => {
    expect(prepareRedditText(body)).toEqual({ text: null, removed: true, truncated: false });
  });

  it.each([null, undefined, '', '   \n\t'])('returns no text for the empty body %j', (body) => {
    expect(prepareRedditText(body)).toEqual({ text: null, removed: false, truncated: false });
  });

  it('returns no text when nothing of the author remains', () => {
    expect(prepareRedditText('> somebody else said this\n\nhttps://example.com/x')).toEqual({
      text: null,
      removed: false,
      truncated: false,
    });
  });

  it('drops a removal marker joined to a title', () => {
    expect(prepareRedditText('What a great day\n[removed]')).toEqual({
      text: 'What a great day',
      removed: false,
      truncated: false,
    });
  });

  it('decodes entities before reading markdown, so an escaped quote marker is still a quote', () => {
    expect(prepareRedditText('&gt; you are wrong\n\nI love this &amp; that &lt;3')).toEqual({
      text: 'I love this & that <3',
      removed: false,
      truncated: false,
    });
  });

  it('stops preparing once the text passes maxChars, so the scorer sees and reports the overflow', () => {
    const line = 'this line has exactly forty characters!!';
    const body = Array.from({ length: 1_000 }, () => line).join('\n\n');
    const prepared = prepareRedditText(body, { maxChars: 100 });
    expect(prepared.truncated).toBe(true);
    // Whole lines: three lines of 40 (plus separators) pass 100; the fourth is never read.
    expect(prepared.text).toBe([line, line, line].join('\n\n'));
    expect(prepared.text!.length).toBeGreaterThan(100);
    expect(prepareRedditText(line, { maxChars: 100 }).truncated).toBe(false);
  });
});

describe('decodeHtmlEntities', () => {
  it('decodes the entities Reddit sends', () => {
    expect(decodeHtmlEntities('&amp; &lt; &gt; &quot;hi&quot; it&#39;s a&nbsp;b')).toBe(
      '& < > "hi" it\'s a\u00a0b',
    );
  });

  it('decodes decimal and hexadecimal code points, including emoji', () => {
    expect(decodeHtmlEntities('&#128512; &#x1F600; &#X2764;')).toBe('😀 😀 ❤');
  });

  it('decodes the markdown layer under the JSON layer', () => {
    // Reddit escapes the markdown "&#x200B;" as "&amp;#x200B;".
    expect(decodeHtmlEntities('&amp;#x200B;')).toBe('\u200b');
  });

  it('leaves unknown names and plain ampersands alone, and replaces invalid code points', () => {
    expect(decodeHtmlEntities('AT&T &bogus; &#0; &#xD800;')).toBe('AT&T &bogus; \ufffd \ufffd');
  });
});

describe('stripRedditMarkdown', () => {
  it('keeps link text and drops the target', () => {
    expect(stripRedditMarkdown('read [the guide](https://example.com/a_(b) "Guide") now')).toBe(
      'read the guide now',
    );
    expect(stripRedditMarkdown('see ![a cat](https://i.redd.it/x.png)')).toBe('see a cat');
  });

  it('removes bare URLs and autolinks', () => {
    expect(
      stripRedditMarkdown('go to https://x.com/a?b=1 or www.site.org or <https://y.org>'),
    ).toBe('go to or or');
  });

  it('removes quoted lines, including their lazy continuation', () => {
    expect(stripRedditMarkdown('> you are terrible\ncontinued quote\n\nI disagree')).toBe(
      'I disagree',
    );
    expect(stripRedditMarkdown('>> nested\n\nmine')).toBe('mine');
  });

  it('keeps spoilers, which start with >! but are not quotes', () => {
    expect(stripRedditMarkdown('>!he dies!< so sad')).toBe('he dies so sad');
  });

  it('removes fenced, indented and inline code', () => {
    const body = [
      'before',
      '```js',
      'const awful = true;',
      '```',
      '',
      '    indented awful code',
      '    more code',
      '',
      'call `awful()` here',
      '~~~',
      'tilde fence',
      '~~~',
      'after',
    ].join('\n');
    expect(stripRedditMarkdown(body)).toBe('before\n\ncall here\nafter');
  });

  it('does not treat an indented continuation line as code', () => {
    expect(stripRedditMarkdown('first line\n    continued')).toBe('first line\ncontinued');
  });

  it('reduces emphasis, strikethrough and superscript to their text', () => {
    expect(
      stripRedditMarkdown('**bold** *em* __strong__ _under_ ~~gone~~ ^super ^(two words)'),
    ).toBe('bold em strong under gone super two words');
  });

  it('keeps asterisks and underscores that are not emphasis', () => {
    expect(stripRedditMarkdown('5 * 3 and snake_case_name')).toBe('5 * 3 and snake_case_name');
  });

  it('honours backslash escapes', () => {
    expect(stripRedditMarkdown('\\*not emphasis\\* and \\> not a quote')).toBe(
      '*not emphasis* and > not a quote',
    );
    expect(stripRedditMarkdown('\\> not a quote')).toBe('> not a quote');
  });

  it('removes header marks, list markers, rules and table pipes', () => {
    const body = [
      '## Great news ##',
      '- item one',
      '* item two',
      '2. item three',
      '',
      '---',
      '| name | verdict |',
      '|:-----|--------:|',
      '| film | good |',
    ].join('\n');
    expect(stripRedditMarkdown(body)).toBe(
      'Great news\nitem one\nitem two\nitem three\n\nname verdict\nfilm good',
    );
  });

  it('removes zero-width spaces and normalises whitespace', () => {
    expect(stripRedditMarkdown('a\u200bb  c\u00a0\u00a0d\n\n\n\n\ne')).toBe('ab c d\n\ne');
  });

  it('keeps u/name and r/sub as plain words', () => {
    expect(stripRedditMarkdown('thanks /u/some_user, see /r/AskReddit and r/aww')).toBe(
      'thanks u/some_user, see r/AskReddit and r/aww',
    );
  });

  it('drops reference definitions and keeps reference link text', () => {
    expect(stripRedditMarkdown('a [good one][1]\n\n[1]: https://example.com')).toBe('a good one');
  });
});
