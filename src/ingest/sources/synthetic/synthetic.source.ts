import { type Clock } from '@app/common/clock';
import { type SourceBatch, type SourceStatus, type StreamSource } from '../stream-source';
import { type SyntheticOptions, SyntheticRedditGenerator } from './synthetic-generator';

export interface SyntheticCheckpoint {
  /** Items generated and handed out so far. */
  readonly position: number;
}

function isCheckpoint(value: unknown): value is SyntheticCheckpoint {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SyntheticCheckpoint).position === 'number'
  );
}

/**
 * The synthetic generator as a stream source, stamping ingest time from the
 * clock. Paced by the runner's rate. Resuming regenerates the first `position`
 * items (cheap) so the sequence continues exactly where it stopped.
 */
export class SyntheticSource implements StreamSource {
  readonly selfPaced = false;
  private readonly generator: SyntheticRedditGenerator;
  private lastPullAtMs: number | null = null;

  constructor(
    options: SyntheticOptions,
    private readonly maxEvents: number | null,
    private readonly clock: Clock,
    checkpoint?: unknown,
  ) {
    this.generator = new SyntheticRedditGenerator(options);
    if (isCheckpoint(checkpoint)) {
      const skip = Math.max(0, Math.floor(checkpoint.position));
      for (let i = 0; i < skip; i++) this.generator.next();
    }
  }

  get exhausted(): boolean {
    return this.maxEvents !== null && this.generator.position >= this.maxEvents;
  }

  pull(max: number): Promise<SourceBatch> {
    const remaining =
      this.maxEvents === null ? max : Math.min(max, this.maxEvents - this.generator.position);
    const now = this.clock.now();
    this.lastPullAtMs = now;
    const ingestedUtc = now / 1000;
    const events = this.generator
      .take(Math.max(0, remaining))
      .map((item) => ({ ...item, ingestedUtc }));
    return Promise.resolve({ events, rejects: [] });
  }

  checkpoint(): SyntheticCheckpoint {
    return { position: this.generator.position };
  }

  status(): SourceStatus {
    return { lastPollAtMs: this.lastPullAtMs, progress: { position: this.generator.position } };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
