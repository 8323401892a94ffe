import { dropNamespace } from '../support/cleanup';
import { testNamespace, type TestNamespace } from '../support/environment';
import { type HttpTestApp, startHttpApp } from '../support/http-app';

jest.setTimeout(120_000);

interface Analysis {
  language: string;
  sentiment: {
    model: string;
    score: number;
    probabilities: { positive: number; neutral: number; negative: number } | null;
    compound: number;
    label: string;
    positive: number;
    neutral: number;
    negative: number;
  } | null;
  keywords: { key: string; count: number }[];
  mentions: {
    subreddits: string[];
    users: string[];
    domains: string[];
    tickers: string[];
    hashtags: string[];
  };
  removed: boolean;
}

describe('POST /api/nlp/analyze', () => {
  let ns: TestNamespace;
  let api: HttpTestApp;

  beforeAll(async () => {
    ns = testNamespace({ HTTP_BODY_LIMIT_KB: '64' });
    api = await startHttpApp(ns);
  });

  afterAll(async () => {
    await api?.app.close();
    await dropNamespace(ns.config);
  });

  it('analyses Reddit markdown like the pipeline does, without an API key', async () => {
    const response = await api.http
      .post('/api/nlp/analyze')
      .send({
        title: 'Machine learning update',
        text:
          'The new machine learning release is GREAT!!! Thanks u/spez.\n\n' +
          '> this quoted part is terrible and awful\n\n' +
          'Details: [release notes](https://www.example.com/notes) and r/MachineLearning $NVDA #ai',
      })
      .expect(200);
    const body = response.body as Analysis;
    expect(body.language).toBe('en');
    expect(body.sentiment?.label).toBe('positive');
    expect(body.sentiment?.negative).toBe(0); // the quoted negative words are not the author's
    // The default model is the one trained on Reddit comments; it shows its probabilities.
    const sentiment = body.sentiment!;
    expect(sentiment.model).toMatch(/^reddit-[0-9a-f]{8}$/);
    const p = sentiment.probabilities!;
    expect(p.positive + p.neutral + p.negative).toBeCloseTo(1, 6);
    expect(p.positive).toBeGreaterThan(Math.max(p.neutral, p.negative));
    expect(sentiment.score).toBeCloseTo(p.positive - p.negative, 6);
    expect(sentiment.compound).toBeGreaterThan(0.05); // VADER's reading, reported beside it
    expect(body.keywords.map((k) => k.key)).toContain('machine learning');
    expect(body.mentions).toMatchObject({
      subreddits: ['machinelearning'],
      users: ['spez'],
      domains: ['example.com'],
      tickers: ['NVDA'],
      hashtags: ['ai'],
    });
  });

  it('gives no score for deleted bodies and for text that is not English', async () => {
    const deleted = (
      await api.http.post('/api/nlp/analyze').send({ text: '[deleted]' }).expect(200)
    ).body as Analysis;
    expect(deleted).toMatchObject({ sentiment: null, removed: true });
    const german = (
      await api.http
        .post('/api/nlp/analyze')
        .send({
          text: 'Das ist wirklich nicht gut, aber ich weiß nicht, was wir jetzt machen sollen.',
        })
        .expect(200)
    ).body as Analysis;
    expect(german).toMatchObject({ language: 'non-en', sentiment: null });
  });

  it('answers 400 naming the field and 413 naming the body limit', async () => {
    const missing = await api.http.post('/api/nlp/analyze').send({}).expect(400);
    expect((missing.body as { message: string }).message).toContain('text');
    const unknown = await api.http
      .post('/api/nlp/analyze')
      .send({ text: 'hi', mood: 1 })
      .expect(400);
    expect((unknown.body as { message: string }).message).toContain('mood');
    const huge = await api.http
      .post('/api/nlp/analyze')
      .send({ text: 'good '.repeat(20_000) })
      .expect(413);
    expect((huge.body as { message: string }).message).toContain(String(64 * 1024));
  });
});

describe('POST /api/nlp/analyze with NLP_SENTIMENT_MODEL=vader', () => {
  let ns: TestNamespace;
  let api: HttpTestApp;

  beforeAll(async () => {
    ns = testNamespace({ NLP_SENTIMENT_MODEL: 'vader' });
    api = await startHttpApp(ns);
  });

  afterAll(async () => {
    await api?.app.close();
    await dropNamespace(ns.config);
  });

  it('answers with VADER: its compound score, the ±0.05 label and no probabilities', async () => {
    const body = (
      await api.http.post('/api/nlp/analyze').send({ text: 'The movie was not good' }).expect(200)
    ).body as Analysis;
    expect(body.sentiment).toMatchObject({
      model: 'vader',
      label: 'negative',
      probabilities: null,
    });
    expect(body.sentiment?.score).toBeCloseTo(-0.3412, 4);
    expect(body.sentiment?.compound).toBe(body.sentiment?.score);
  });
});
