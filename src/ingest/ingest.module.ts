import { Module } from '@nestjs/common';
import { StorageModule } from '@app/storage/storage.module';
import { EventSink, KafkaEventSink } from './event-sink';
import { StreamSourceFactory } from './stream-sources';
import { StreamsController } from './streams.controller';
import { StreamsService } from './streams.service';

@Module({
  imports: [StorageModule],
  controllers: [StreamsController],
  providers: [
    StreamsService,
    StreamSourceFactory,
    { provide: EventSink, useClass: KafkaEventSink },
  ],
  exports: [StreamsService],
})
export class IngestModule {}
