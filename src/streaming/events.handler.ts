import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type BatchOutcome, StreamingService } from './streaming.service';
import { type ConsumedBatch } from '@app/kafka/consumer/consumed-batch';

/** Logical pattern of the events topic; the transport maps it to the configured topic name. */
export const EVENTS_PATTERN = 'reddit.events';

/** Kafka entry point of the streaming stage: one call per partition batch. */
@Controller()
export class EventsHandler {
  constructor(private readonly streaming: StreamingService) {}

  @EventPattern(EVENTS_PATTERN)
  handleEvents(@Payload() batch: ConsumedBatch): Promise<BatchOutcome> {
    return this.streaming.processBatch(batch);
  }
}
