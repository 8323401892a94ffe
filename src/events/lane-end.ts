/**
 * The marker a backfill leaves on every partition of the events topic after
 * its last event: the consumer closes the backfill's event-time lane there,
 * so its windows become final instead of waiting for data that will not come.
 * It travels in the events topic (not a topic of its own) because only its
 * place among the events, in each partition's order, says which events came
 * before it.
 */
export const LANE_END_HEADER = 'lane-end';

export function laneEndMessage(streamId: string): string {
  return JSON.stringify({ laneEnd: true, streamId });
}

/** The stream a lane-end marker closes, or null when the text is not one. */
export function parseLaneEnd(text: string): string | null {
  try {
    const json = JSON.parse(text) as { laneEnd?: unknown; streamId?: unknown } | null;
    return json?.laneEnd === true && typeof json.streamId === 'string' ? json.streamId : null;
  } catch {
    return null;
  }
}
