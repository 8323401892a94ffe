import { Module } from '@nestjs/common';
import { EventSink, KafkaEventSink } from './event-sink';
import { StreamsController } from './streams.controller';
import { StreamsService } from './streams.service';

@Module({
  controllers: [StreamsController],
  providers: [StreamsService, { provide: EventSink, useClass: KafkaEventSink }],
  exports: [StreamsService],
})
export class IngestModule {}
