import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import {
  addOutcomes,
  NO_OUTCOMES,
  parseOutcomes,
  type StreamOutcomes,
} from '@app/events/stream-outcomes';
import { WindowCheckpointStore } from '@app/storage/ports';

/**
 * What the consumers did with each stream's events, summed over every
 * partition of the events topic from their checkpoints: exactly-once totals
 * (they move with the checkpoints, a few seconds behind the consumer), and the
 * same whichever server answers.
 */
@Injectable()
export class StreamOutcomesReader {
  constructor(
    private readonly checkpoints: WindowCheckpointStore,
    private readonly config: AppConfig,
  ) {}

  async read(): Promise<Map<string, StreamOutcomes>> {
    const { consumerGroup, topics, partitions } = this.config.kafka;
    const perPartition = await Promise.all(
      Array.from({ length: partitions }, (_, partition) =>
        this.checkpoints.readItems(
          { group: consumerGroup, topic: topics.events, partition },
          'tally',
        ),
      ),
    );
    const totals = new Map<string, StreamOutcomes>();
    for (const item of perPartition.flat()) {
      totals.set(
        item.key,
        addOutcomes(totals.get(item.key) ?? NO_OUTCOMES, parseOutcomes(item.data)),
      );
    }
    return totals;
  }
}
