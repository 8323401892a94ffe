import { type AggregateSummary } from './window-aggregate';

export type EmissionKind = 'partial' | 'final' | 'refire';

/** One window as the engine emits it. */
export interface WindowResult extends AggregateSummary {
  /** `subreddit|spec|windowStartMs`: the same key for partial, final and refired emissions. */
  readonly key: string;
  readonly partition: string;
  readonly subreddit: string;
  readonly window: string;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly emission: EmissionKind;
  /** True once the watermark has passed the window's end. */
  readonly final: boolean;
  /** The partition's watermark when emitted (null before one is established). */
  readonly watermarkMs: number | null;
}
