import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { type LateEvent } from '@app/events/late-event';
import { KafkaConnection } from './kafka-connection';
import { LateEventSink } from './ports';

@Injectable()
export class KafkaLateEventSink extends LateEventSink {
  constructor(
    private readonly kafka: KafkaConnection,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async send(events: readonly LateEvent[]): Promise<void> {
    await this.kafka.send(
      this.config.kafka.topics.lateEvents,
      events.map((late) => ({
        // Keyed by fullname: a re-sent late event (after a crash) is recognisable downstream.
        key: late.event.fullname,
        value: JSON.stringify({
          reason: 'too late: beyond the allowed lateness of every window it belongs to',
          watermark: late.watermarkMs === null ? null : new Date(late.watermarkMs).toISOString(),
          allowedLatenessMs: late.allowedLatenessMs,
          source: { topic: late.topic, partition: late.partition, offset: late.offset },
          event: late.event,
        }),
        headers: { reason: 'too-late', 'source-topic': late.topic },
      })),
    );
  }
}
