/**
 * What the consumer did with one ingest stream's events: written by
 * streaming (in each partition's checkpoint), read by the stream status.
 */

export interface StreamOutcomes {
  /** Counted in at least one window. */
  readonly applied: number;
  /** Of `applied`, those that reached a window after it was final (it was emitted again). */
  readonly lateApplied: number;
  /** Beyond the allowed lateness of every window: sent to the late-events topic, not counted. */
  readonly tooLate: number;
  /** Already counted (a redelivery, or the same item from two streams). */
  readonly duplicates: number;
  /** Messages that were not valid events: sent to the dead-letter topic. */
  readonly deadLettered: number;
}

export type Outcome = keyof StreamOutcomes;

export const NO_OUTCOMES: StreamOutcomes = {
  applied: 0,
  lateApplied: 0,
  tooLate: 0,
  duplicates: 0,
  deadLettered: 0,
};

/** Dead letters whose stream cannot be read from the message count here. */
export const UNKNOWN_STREAM = '';

export function addOutcomes(a: StreamOutcomes, b: StreamOutcomes): StreamOutcomes {
  return {
    applied: a.applied + b.applied,
    lateApplied: a.lateApplied + b.lateApplied,
    tooLate: a.tooLate + b.tooLate,
    duplicates: a.duplicates + b.duplicates,
    deadLettered: a.deadLettered + b.deadLettered,
  };
}

/** Reads a stored tally; anything unreadable counts as nothing rather than failing a restore. */
export function parseOutcomes(data: string): StreamOutcomes {
  try {
    const json = JSON.parse(data) as Partial<Record<Outcome, unknown>>;
    const count = (value: unknown) =>
      typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0;
    return {
      applied: count(json.applied),
      lateApplied: count(json.lateApplied),
      tooLate: count(json.tooLate),
      duplicates: count(json.duplicates),
      deadLettered: count(json.deadLettered),
    };
  } catch {
    return NO_OUTCOMES;
  }
}
