/**
 * The marker a stream leaves on every partition of the events topic after
 * its last event: the consumer closes the stream's event-time lane there,
 * so its windows become final instead of waiting for data that will not come.
 * A backfill closes its own lane; the live lane is shared, and is closed when
 * the last live stream here stops (more live data later reopens it). It
 * travels in the events topic (not a topic of its own) because only its
 * place among the events, in each partition's order, says which events came
 * before it.
 */
export const LANE_END_HEADER = 'lane-end';

export interface LaneEndMarker {
  readonly streamId: string;
  /** True: the live lane; else the backfill lane of `streamId`. */
  readonly live: boolean;
}

export function laneEndMessage(streamId: string, live = false): string {
  return JSON.stringify({ laneEnd: true, streamId, ...(live ? { live: true } : {}) });
}

/** What a lane-end marker closes, or null when the text is not one. */
export function parseLaneEnd(text: string): LaneEndMarker | null {
  try {
    const json = JSON.parse(text) as {
      laneEnd?: unknown;
      streamId?: unknown;
      live?: unknown;
    } | null;
    return json?.laneEnd === true && typeof json.streamId === 'string'
      ? { streamId: json.streamId, live: json.live === true }
      : null;
  } catch {
    return null;
  }
}
