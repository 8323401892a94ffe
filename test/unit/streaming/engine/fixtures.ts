import { type EngineInput } from '@app/streaming/domain/engine/window-engine';

export const MINUTE = 60_000;
export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

export function event(overrides: Partial<EngineInput> & { fullname: string }): EngineInput {
  return {
    subreddit: 'askreddit',
    kind: 'comment',
    eventTimeMs: T0,
    author: 'alice',
    score: 1,
    sentiment: null,
    keywords: [],
    mentions: [],
    ...overrides,
  };
}
