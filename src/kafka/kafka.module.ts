import { Global, Module } from '@nestjs/common';
import { ConsumerControl } from './consumer/consumer-control';
import { KafkaConsumerTransport } from './consumer/kafka-consumer.transport';
import { KafkaConnection } from './kafka-connection';
import { KafkaDeadLetterSink } from './kafka-dead-letter.sink';
import { KafkaEventSink } from './kafka-event.sink';
import { KafkaLateEventSink } from './kafka-late-event.sink';
import { KafkaTopicTail } from './kafka-topic-tail';
import { KafkaTrendMinutePublisher } from './kafka-trend-minute.publisher';
import { KafkaTrendPublisher } from './kafka-trend.publisher';
import { KafkaWindowPublisher } from './kafka-window.publisher';
import {
  ConsumerTransport,
  DeadLetterSink,
  EventSink,
  LateEventSink,
  MessageBroker,
  TopicTail,
  TrendMinutePublisher,
  TrendPublisher,
  WindowPublisher,
} from './ports';

/** Kafka behind its ports: producing adapters, the broker's health, and the consumer's control. */
@Global()
@Module({
  providers: [
    KafkaConnection,
    { provide: MessageBroker, useExisting: KafkaConnection },
    { provide: EventSink, useClass: KafkaEventSink },
    { provide: DeadLetterSink, useClass: KafkaDeadLetterSink },
    { provide: LateEventSink, useClass: KafkaLateEventSink },
    { provide: WindowPublisher, useClass: KafkaWindowPublisher },
    { provide: TrendPublisher, useClass: KafkaTrendPublisher },
    { provide: TopicTail, useClass: KafkaTopicTail },
    { provide: TrendMinutePublisher, useClass: KafkaTrendMinutePublisher },
    ConsumerControl,
    { provide: ConsumerTransport, useClass: KafkaConsumerTransport },
  ],
  exports: [
    MessageBroker,
    EventSink,
    DeadLetterSink,
    LateEventSink,
    WindowPublisher,
    TrendPublisher,
    TopicTail,
    TrendMinutePublisher,
    ConsumerControl,
    ConsumerTransport,
  ],
})
export class KafkaModule {}
