import { type RedditEvent } from './reddit-event';

/**
 * An event that arrived after every window it belongs to was closed for
 * good: it goes to the late-events topic, visible and reprocessable, instead
 * of being dropped silently.
 */
export interface LateEvent {
  readonly event: RedditEvent;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The watermark it was judged against. */
  readonly watermarkMs: number | null;
  readonly allowedLatenessMs: number;
}
