import { type ArchivedState, NOTHING_ARCHIVED } from './closed-windows';
import { type EngineInput, type IngestOutcome, type WindowEngine } from './window-engine';

/** A lane that closes after the first `after` inputs of a batch. */
export interface LaneEnd {
  readonly lane: string;
  readonly after: number;
}

/**
 * Ingests a batch in which lanes close between events, in the
 * batch's order, as one outcome: the events before a lane's end are judged
 * with the lane still open, those after it with the lane closed.
 */
export function ingestAcrossLaneEnds(
  engine: WindowEngine,
  partition: string,
  inputs: readonly EngineInput[],
  ends: readonly LaneEnd[],
  archived: ArchivedState = NOTHING_ARCHIVED,
): IngestOutcome {
  if (ends.length === 0) return engine.ingest(partition, inputs, archived);
  const parts: IngestOutcome[] = [];
  let from = 0;
  for (const end of ends) {
    if (end.after > from)
      parts.push(engine.ingest(partition, inputs.slice(from, end.after), archived));
    from = Math.max(from, end.after);
    engine.endLane(partition, end.lane);
  }
  if (from < inputs.length) parts.push(engine.ingest(partition, inputs.slice(from), archived));
  return {
    applied: parts.flatMap((p) => p.applied),
    appliedWatermarksMs: parts.flatMap((p) => p.appliedWatermarksMs),
    appliedClosedThroughMs: parts.flatMap((p) => p.appliedClosedThroughMs),
    lateApplied: parts.flatMap((p) => p.lateApplied),
    duplicates: parts.flatMap((p) => p.duplicates),
    tooLate: parts.flatMap((p) => p.tooLate),
    tooLateWatermarksMs: parts.flatMap((p) => p.tooLateWatermarksMs),
  };
}
