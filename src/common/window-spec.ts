/**
 * Window specifications as plain data. A spec's `name` is canonical (derived
 * from its sizes, largest unit that divides evenly) so it is stable in storage
 * keys: "60s", "1m" and "60000ms" all parse to the spec named "1m".
 */

export interface TumblingWindowSpec {
  readonly kind: 'tumbling';
  readonly name: string;
  readonly sizeMs: number;
}

export interface HoppingWindowSpec {
  readonly kind: 'hopping';
  readonly name: string;
  readonly sizeMs: number;
  /** `sizeMs` is a whole multiple of `slideMs`, so every event falls in exactly sizeMs/slideMs windows. */
  readonly slideMs: number;
}

export type WindowSpec = TumblingWindowSpec | HoppingWindowSpec;

export class WindowSpecError extends Error {
  readonly code = 'WINDOW_SPEC_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'WindowSpecError';
  }
}

const UNITS: readonly (readonly [suffix: string, ms: number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/** Parses "500ms", "30s", "1m", "2h", "1d" into milliseconds. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+)\s*(ms|s|m|h|d)\s*$/.exec(text);
  const amount = match?.[1];
  const suffix = match?.[2];
  const unit = UNITS.find(([s]) => s === suffix);
  if (amount === undefined || unit === undefined) {
    throw new WindowSpecError(`invalid duration "${text}" (expected e.g. 500ms, 30s, 1m, 2h, 1d)`);
  }
  const ms = Number(amount) * unit[1];
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new WindowSpecError(`duration "${text}" must be a positive whole number of ms`);
  }
  return ms;
}

/** Canonical text of a duration: the largest unit that divides it evenly. */
export function formatDuration(ms: number): string {
  for (const [suffix, unitMs] of UNITS) {
    if (ms % unitMs === 0) return `${ms / unitMs}${suffix}`;
  }
  return `${ms}ms`;
}

function checkSize(ms: number, what: string): void {
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new WindowSpecError(`${what} must be a positive whole number of ms, got ${ms}`);
  }
}

export function tumbling(sizeMs: number): TumblingWindowSpec {
  checkSize(sizeMs, 'window size');
  return { kind: 'tumbling', name: formatDuration(sizeMs), sizeMs };
}

/** A hopping window; a slide equal to the size is the same thing as a tumbling window. */
export function hopping(sizeMs: number, slideMs: number): WindowSpec {
  checkSize(sizeMs, 'window size');
  checkSize(slideMs, 'window slide');
  if (sizeMs % slideMs !== 0) {
    throw new WindowSpecError(
      `window size ${formatDuration(sizeMs)} must be a multiple of slide ${formatDuration(slideMs)}`,
    );
  }
  if (sizeMs === slideMs) return tumbling(sizeMs);
  return {
    kind: 'hopping',
    name: `${formatDuration(sizeMs)}/${formatDuration(slideMs)}`,
    sizeMs,
    slideMs,
  };
}

/** Parses "1m" (tumbling) or "5m/1m" (hopping: size/slide). */
export function parseWindowSpec(text: string): WindowSpec {
  const parts = text.split('/');
  const [size, slide] = parts;
  if (size === undefined || parts.length > 2) {
    throw new WindowSpecError(`invalid window spec "${text}" (expected "1m" or "5m/1m")`);
  }
  return slide === undefined
    ? tumbling(parseDuration(size))
    : hopping(parseDuration(size), parseDuration(slide));
}

export function slideOf(spec: WindowSpec): number {
  return spec.kind === 'hopping' ? spec.slideMs : spec.sizeMs;
}

/** Largest multiple of `stepMs` that is <= `timeMs` (true floor, also for negative times). */
export function floorTo(timeMs: number, stepMs: number): number {
  return timeMs - (((timeMs % stepMs) + stepMs) % stepMs);
}

/** Starts of every window of `spec` containing `eventTimeMs` (windows are [start, start + size)), ascending. */
export function assignWindows(spec: WindowSpec, eventTimeMs: number): number[] {
  const slideMs = slideOf(spec);
  const lastStart = floorTo(eventTimeMs, slideMs);
  const starts: number[] = [];
  for (let start = lastStart - spec.sizeMs + slideMs; start <= lastStart; start += slideMs) {
    starts.push(start);
  }
  return starts;
}

export function windowEnd(spec: WindowSpec, windowStartMs: number): number {
  return windowStartMs + spec.sizeMs;
}

/** Same key format as the tumbling engine's `windowKey`, so storage rows line up. */
export function windowKey(subreddit: string, specName: string, windowStartMs: number): string {
  return `${subreddit}|${specName}|${windowStartMs}`;
}
