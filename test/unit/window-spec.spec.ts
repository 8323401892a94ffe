import {
  assignWindows,
  floorTo,
  hopping,
  parseDuration,
  parseWindowSpec,
  tumbling,
  WindowSpecError,
} from '@app/common/window-spec';

describe('window specs', () => {
  it('parses durations and gives canonical, stable names', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseWindowSpec('1m')).toEqual({ kind: 'tumbling', name: '1m', sizeMs: 60_000 });
    expect(parseWindowSpec('60s').name).toBe('1m');
    expect(parseWindowSpec('5m/1m')).toEqual({
      kind: 'hopping',
      name: '5m/1m',
      sizeMs: 300_000,
      slideMs: 60_000,
    });
    expect(parseWindowSpec('300s/60000ms').name).toBe('5m/1m');
    expect(parseWindowSpec('1m/1m')).toEqual(tumbling(60_000));
  });

  it('rejects bad specs', () => {
    expect(() => parseWindowSpec('5m/2m')).toThrow(WindowSpecError);
    expect(() => parseWindowSpec('abc')).toThrow(WindowSpecError);
    expect(() => parseWindowSpec('0m')).toThrow(WindowSpecError);
    expect(() => parseWindowSpec('1m/1m/1m')).toThrow(WindowSpecError);
  });

  it('assigns a tumbling window by floor', () => {
    const spec = tumbling(60_000);
    expect(assignWindows(spec, 0)).toEqual([0]);
    expect(assignWindows(spec, 59_999)).toEqual([0]);
    expect(assignWindows(spec, 60_000)).toEqual([60_000]);
  });

  it('assigns every hopping window containing the time', () => {
    const spec = hopping(300_000, 60_000);
    expect(assignWindows(spec, 125_000)).toEqual([-120_000, -60_000, 0, 60_000, 120_000]);
    for (const start of assignWindows(spec, 125_000)) {
      expect(start <= 125_000 && 125_000 < start + spec.sizeMs).toBe(true);
    }
  });

  it('floors negative times correctly', () => {
    expect(floorTo(-1, 60_000)).toBe(-60_000);
    expect(floorTo(-60_000, 60_000)).toBe(-60_000);
    expect(floorTo(-60_001, 60_000)).toBe(-120_000);
    expect(assignWindows(tumbling(60_000), -1)).toEqual([-60_000]);
    expect(assignWindows(hopping(120_000, 60_000), -1)).toEqual([-120_000, -60_000]);
  });
});
