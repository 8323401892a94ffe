import { type RedditEvent } from '../domain/reddit-event';

/**
 * A source of normalised events for one stream. The stream runner decides how
 * many to ask for (rate limits, batch size); the source decides what they are.
 */
export interface StreamSource {
  /** Up to `max` events; fewer (or none) when the source has nothing ready. */
  pull(max: number): Promise<readonly RedditEvent[]>;
  /** True once the source will never yield more events. */
  readonly exhausted: boolean;
}
