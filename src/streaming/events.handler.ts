import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { StreamingService } from './streaming.service';
import { type ConsumedBatch } from './transport/consumed-batch';

/** Logical pattern of the events topic; the transport maps it to the configured topic name. */
export const EVENTS_PATTERN = 'reddit.events';

/** Kafka entry point of the streaming stage: one call per partition batch. */
@Controller()
export class EventsHandler {
  constructor(private readonly streaming: StreamingService) {}

  @EventPattern(EVENTS_PATTERN)
  async handleEvents(@Payload() batch: ConsumedBatch): Promise<void> {
    await this.streaming.processBatch(batch);
  }
}
