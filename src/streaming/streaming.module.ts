import { Module } from '@nestjs/common';
import { NlpModule } from '@app/nlp/nlp.module';
import { StorageModule } from '@app/storage/storage.module';
import { Checkpointer } from './checkpointer';
import { ClosedWindowArchive } from './closed-window-archive';
import { EventsHandler } from './events.handler';
import { OutputWriter } from './output-writer';
import { StreamingService } from './streaming.service';

/** The consumer: events from Kafka through NLP and the window engine to the stores. */
@Module({
  imports: [NlpModule, StorageModule],
  controllers: [EventsHandler],
  providers: [StreamingService, OutputWriter, Checkpointer, ClosedWindowArchive],
  exports: [StreamingService],
})
export class StreamingModule {}
