import type { NlpConfig } from '@app/config';
import { analyzeRedditText } from '@app/nlp/domain/analysis';
import { createSentimentScorer } from '@app/nlp/sentiment-scorer.factory';
import { NlpWorkerPool } from '@app/nlp/worker/nlp-worker-pool';
import { recordedRedditEvents } from '../../../bench/support/reddit-texts';

/** Worker threads run the same analysis as the event loop: results must not depend on where it ran. */
describe('NLP worker pool', () => {
  const config: NlpConfig = {
    maxChars: 10_000,
    sentimentModel: 'reddit',
    sentimentModelFile: null,
    workers: 2,
  };
  const { comments, submissions } = recordedRedditEvents();
  const texts = [...submissions.slice(0, 150), ...comments.slice(0, 600)];
  let pool: NlpWorkerPool;

  beforeAll(() => {
    pool = new NlpWorkerPool(config, config.workers);
  });
  afterAll(() => pool.close());

  it('gives exactly the analysis of this thread, in order, for recorded Reddit items', async () => {
    expect(pool.size).toBe(2);
    const scorer = createSentimentScorer(config);
    const here = texts.map((parts) => analyzeRedditText(parts, scorer));
    const there = await pool.analyze(texts);
    expect(there).toEqual(here);
    expect(await pool.analyze(texts.slice(0, 1))).toEqual(here.slice(0, 1));
    expect(await pool.analyze([])).toEqual([]);
  }, 60_000);

  it('fails the slices of a worker that dies, and replaces it on the next batch', async () => {
    const scorer = createSentimentScorer(config);
    const running = pool.analyze(texts);
    const slots = (pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] })
      .slots;
    await slots[0]?.worker.terminate();
    await expect(running).rejects.toThrow(/NLP worker exited/);
    const again = await pool.analyze(texts.slice(0, 50));
    expect(again).toEqual(texts.slice(0, 50).map((parts) => analyzeRedditText(parts, scorer)));
  }, 60_000);
});
