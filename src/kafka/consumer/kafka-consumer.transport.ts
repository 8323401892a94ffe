import { Injectable } from '@nestjs/common';
import { type CustomTransportStrategy } from '@nestjs/microservices';
import { AppConfig } from '@app/config';
import { KafkaConnection } from '../kafka-connection';
import { ConsumerTransport } from '../ports';
import { ConsumerControl } from './consumer-control';
import { KafkaBatchServer } from './kafka-batch.server';

/** The batch transport on the app's one Kafka client, in the configured consumer group. */
@Injectable()
export class KafkaConsumerTransport extends ConsumerTransport {
  constructor(
    private readonly kafka: KafkaConnection,
    private readonly config: AppConfig,
    private readonly control: ConsumerControl,
  ) {
    super();
  }

  strategy(topics: Readonly<Record<string, string>>): CustomTransportStrategy {
    return new KafkaBatchServer({
      kafka: this.kafka.client,
      groupId: this.config.kafka.consumerGroup,
      topics,
      partitionsConsumedConcurrently: this.config.kafka.partitionsConsumedConcurrently,
      control: this.control,
    });
  }
}
