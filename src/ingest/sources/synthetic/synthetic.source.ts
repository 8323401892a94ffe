import { type Clock } from '@app/common/clock';
import { type RedditEvent } from '../../domain/reddit-event';
import { type StreamSource } from '../stream-source';
import { type SyntheticOptions, SyntheticRedditGenerator } from './synthetic-generator';

/** The synthetic generator as a stream source, stamping ingest time from the clock. */
export class SyntheticSource implements StreamSource {
  private readonly generator: SyntheticRedditGenerator;

  constructor(
    options: SyntheticOptions,
    private readonly maxEvents: number | null,
    private readonly clock: Clock,
  ) {
    this.generator = new SyntheticRedditGenerator(options);
  }

  get exhausted(): boolean {
    return this.maxEvents !== null && this.generator.position >= this.maxEvents;
  }

  pull(max: number): Promise<readonly RedditEvent[]> {
    const remaining =
      this.maxEvents === null ? max : Math.min(max, this.maxEvents - this.generator.position);
    const ingestedUtc = this.clock.now() / 1000;
    const events = this.generator
      .take(Math.max(0, remaining))
      .map((item) => ({ ...item, ingestedUtc }));
    return Promise.resolve(events);
  }
}
