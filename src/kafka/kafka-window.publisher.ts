import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { type WindowRecord } from '@app/storage/records';
import { KafkaConnection } from './kafka-connection';
import { WindowPublisher } from './ports';

@Injectable()
export class KafkaWindowPublisher extends WindowPublisher {
  constructor(
    private readonly kafka: KafkaConnection,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async publish(windows: readonly WindowRecord[]): Promise<void> {
    await this.kafka.send(
      this.config.kafka.topics.windows,
      windows.map((w) => ({
        // One key per window so log compaction keeps its latest state.
        key: `${w.subreddit}|${w.window}|${new Date(w.windowStartMs).toISOString()}`,
        value: JSON.stringify({
          ...w,
          windowStart: new Date(w.windowStartMs).toISOString(),
          windowEnd: new Date(w.windowEndMs).toISOString(),
        }),
      })),
    );
  }
}
