import { produceRequests } from '@app/kafka/produce-requests';

describe('produceRequests', () => {
  it('cuts a send into requests under the byte limit, in order, none empty', () => {
    const messages = Array.from({ length: 500 }, (_, i) => ({
      key: `k${i}`,
      value: 'x'.repeat(900 + (i % 7) * 100),
    }));
    const requests = produceRequests(messages, 64 * 1024);
    expect(requests.length).toBeGreaterThan(10);
    expect(requests.flat()).toEqual(messages);
    for (const request of requests) {
      expect(request.length).toBeGreaterThan(0);
      const bytes = request.reduce((n, m) => n + Buffer.byteLength(m.key + m.value), 0);
      expect(bytes).toBeLessThanOrEqual(64 * 1024);
    }
  });

  it('sends a message bigger than the limit alone, and a small send in one request', () => {
    const big = { key: 'big', value: 'y'.repeat(100_000) };
    const small = { key: 's', value: 'z' };
    expect(produceRequests([small, big, small], 50_000)).toEqual([[small], [big], [small]]);
    expect(produceRequests([small, small])).toEqual([[small, small]]);
    expect(produceRequests([])).toEqual([]);
  });
});
