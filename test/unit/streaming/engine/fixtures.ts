import { labelFor } from '@app/nlp/domain/sentiment';
import { type EngineInput } from '@app/streaming/domain/engine';

export const MINUTE = 60_000;
export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

/** An event; a given sentiment score gets VADER's ±0.05 label and the model "vader" unless they are given too. */
export function event(overrides: Partial<EngineInput> & { fullname: string }): EngineInput {
  const sentiment = overrides.sentiment ?? null;
  return {
    subreddit: 'askreddit',
    kind: 'comment',
    eventTimeMs: T0,
    author: 'alice',
    score: 1,
    sentiment,
    sentimentLabel: sentiment === null ? null : labelFor(sentiment),
    sentimentModel: sentiment === null ? null : 'vader',
    keywords: [],
    mentions: [],
    ...overrides,
  };
}
