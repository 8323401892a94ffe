import { ManualClock } from '@app/common/clock';
import {
  RateLimitBudget,
  RateLimitBudgets,
  parseRateLimitHeaders,
} from '@app/ingest/sources/reddit/rate-limit';
import { CASSETTES, loadCassette } from '../../support/fake-reddit/cassettes';
import { T0, flush, manualSleep } from './helpers';

function headers(used: number, remaining: string, reset: number): Record<string, string> {
  return {
    'x-ratelimit-used': String(used),
    'x-ratelimit-remaining': remaining,
    'x-ratelimit-reset': String(reset),
  };
}

function setup() {
  const clock = new ManualClock(T0);
  const { sleep, waits } = manualSleep(clock);
  return { clock, waits, budget: new RateLimitBudget(clock, sleep) };
}

describe('parseRateLimitHeaders', () => {
  it('reads the recorded headers, including float remaining counts', () => {
    const recorded = loadCassette(CASSETTES.streamCommentsContinueAfterId)
      .filter((i) => i.response.headers['x-ratelimit-remaining'] !== undefined)
      .map((i) => parseRateLimitHeaders(i.response.headers));
    expect(recorded).toEqual([
      { used: 1, remaining: 599, resetSeconds: 525 },
      { used: 2, remaining: 598, resetSeconds: 523 },
    ]);
    expect(parseRateLimitHeaders({})).toEqual({ used: null, remaining: null, resetSeconds: null });
    expect(parseRateLimitHeaders(headers(3, 'nonsense', 10)).remaining).toBeNull();
  });
});

describe('RateLimitBudget', () => {
  it('sends at once while the budget is unknown', async () => {
    const { budget, waits } = setup();
    (await budget.acquire()).settle(null);
    (await budget.acquire()).settle(null);
    expect(waits).toEqual([]);
    expect(budget.remaining).toBeNull();
    expect(budget.resetAtMs).toBeNull();
  });

  it('spreads the remaining requests over the time to reset (599.0 left, 525 s)', async () => {
    const { budget, clock, waits } = setup();
    (await budget.acquire()).settle(headers(1, '599.0', 525));
    expect(budget.remaining).toBe(599);
    expect(budget.resetAtMs).toBe(T0 + 525_000);
    // 525 s / 599 requests = 876.46 ms between requests.
    const permit = await budget.acquire();
    expect(waits).toEqual([877]);
    clock.advance(100);
    permit.settle(headers(2, '598.0', 523));
    await budget.acquire();
    // Sent at T0 + 877, now T0 + 977: (523 s / 598) - 100 ms = 774.6 ms more.
    expect(waits[1]).toBe(775);
  });

  it('waits for the reset when less than one request is left', async () => {
    const { budget, clock, waits } = setup();
    (await budget.acquire()).settle(headers(600, '0.0', 30));
    await budget.acquire();
    expect(waits).toEqual([30_000]);
    expect(clock.now()).toBe(T0 + 30_000);

    const other = setup();
    (await other.budget.acquire()).settle(headers(600, '0.5', 4));
    await other.budget.acquire();
    expect(other.waits).toEqual([4000]);
  });

  it('counts its own sends down between responses', async () => {
    const { budget, waits } = setup();
    (await budget.acquire()).settle(headers(7, '3.0', 9));
    // 3 left for 9 s: 3 s apart, counted down locally while no response arrives.
    await budget.acquire();
    expect(budget.remaining).toBe(2);
    await budget.acquire();
    expect(budget.remaining).toBe(1);
    expect(waits).toEqual([3000, 3000]);
  });

  it('subtracts requests still in flight from what a response reports', async () => {
    const { budget } = setup();
    (await budget.acquire()).settle(headers(1, '10.0', 100));
    const a = await budget.acquire();
    const b = await budget.acquire();
    a.settle(headers(2, '8.0', 90));
    // b is in flight and may not be counted yet in "8.0".
    expect(budget.remaining).toBe(7);
    b.settle(headers(3, '7.0', 89));
    expect(budget.remaining).toBe(7);
  });

  it('after a 429 waits until the reset it names, else 60 s', async () => {
    const { budget, waits } = setup();
    budget.throttled(7);
    (await budget.acquire()).settle(null);
    budget.throttled(null);
    await budget.acquire();
    expect(waits).toEqual([7000, 60_000]);
  });

  it('serves concurrent callers one at a time, spaced as one client', async () => {
    const { budget, clock } = setup();
    (await budget.acquire()).settle(headers(1, '3.0', 9));
    const sentAt: Record<string, number> = {};
    const caller = async (name: string): Promise<void> => {
      const permit = await budget.acquire();
      sentAt[name] = clock.now() - T0;
      permit.settle(null);
    };
    await Promise.all([caller('stream-a'), caller('stream-b'), caller('stream-a again')]);
    // 3 left over 9 s: 3 s apart, in the order asked.
    expect(sentAt).toEqual({ 'stream-a': 3000, 'stream-b': 6000, 'stream-a again': 9000 });
  });

  it('lets one request probe an unknown budget before others go', async () => {
    const { budget, waits } = setup();
    const first = await budget.acquire();
    let secondGotSlot = false;
    const second = budget.acquire().then((permit) => {
      secondGotSlot = true;
      return permit;
    });
    await flush();
    expect(secondGotSlot).toBe(false);
    first.settle(headers(1, '10.0', 10));
    await second;
    expect(secondGotSlot).toBe(true);
    expect(waits).toEqual([1000]);
  });

  it('an aborted caller leaves the queue to the others', async () => {
    const { budget } = setup();
    (await budget.acquire()).settle(headers(1, '0.0', 5));
    const controller = new AbortController();
    controller.abort();
    await expect(budget.acquire(controller.signal)).rejects.toThrow();
    await expect(budget.acquire()).resolves.toBeDefined();
  });
});

describe('RateLimitBudgets', () => {
  it('gives every user of one client id the same budget', () => {
    const clock = new ManualClock(T0);
    const a = RateLimitBudgets.for('unit-client-a', clock);
    expect(RateLimitBudgets.for('unit-client-a', clock)).toBe(a);
    expect(RateLimitBudgets.for('unit-client-b', clock)).not.toBe(a);
  });
});
