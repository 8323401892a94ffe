import { SseParser } from '@app/live-page/app/sse-parser';

describe('SseParser', () => {
  it('reads events split anywhere across chunks, with ids, comments and multi-line data', () => {
    const text =
      ': keep-alive\n\nevent: window\nid: 0-1\ndata: {"a":1}\n\n' +
      'event: gap\r\ndata: line one\r\ndata: line two\r\n\r\n' +
      'data: no event name\n\n';
    // Every way of cutting the text in two gives the same events.
    const whole = new SseParser().push(text);
    expect(whole).toEqual([
      { event: 'window', data: '{"a":1}', id: '0-1' },
      { event: 'gap', data: 'line one\nline two', id: null },
      { event: 'message', data: 'no event name', id: null },
    ]);
    for (let cut = 1; cut < text.length; cut++) {
      const parser = new SseParser();
      expect([...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))]).toEqual(whole);
    }
  });

  it('waits for the blank line that ends an event', () => {
    const parser = new SseParser();
    expect(parser.push('event: trend\ndata: x\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'trend', data: 'x', id: null }]);
  });
});
