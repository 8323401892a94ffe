import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { type TrendRecord } from '@app/storage/records';
import { KafkaConnection } from './kafka-connection';
import { TrendPublisher } from './ports';

@Injectable()
export class KafkaTrendPublisher extends TrendPublisher {
  constructor(
    private readonly kafka: KafkaConnection,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async publish(trends: readonly TrendRecord[]): Promise<void> {
    await this.kafka.send(
      this.config.kafka.topics.trends,
      trends.map((t) => ({
        // Keyed by what was found, so one term's minutes stay in order on one partition.
        key: `${t.scope}|${t.kind}|${t.term}`,
        value: JSON.stringify({
          ...t,
          minute: new Date(t.minuteMs).toISOString(),
          since: new Date(t.sinceMs).toISOString(),
        }),
      })),
    );
  }
}
