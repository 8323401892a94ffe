import { Module } from '@nestjs/common';
import { NlpModule } from '@app/nlp/nlp.module';
import { StorageModule } from '@app/storage/storage.module';
import { Checkpointer } from './checkpointer';
import { ClosedWindowArchive } from './closed-window-archive';
import { EventsHandler } from './events.handler';
import { OutputWriter } from './output-writer';
import { OverallTrendsService } from './overall-trends.service';
import { StreamingService } from './streaming.service';
import { TrendMinutesHandler } from './trend-minutes.handler';

/** The consumer: events from Kafka through NLP and the window engine to the stores. */
@Module({
  imports: [NlpModule, StorageModule],
  controllers: [EventsHandler, TrendMinutesHandler],
  providers: [
    StreamingService,
    OverallTrendsService,
    OutputWriter,
    Checkpointer,
    ClosedWindowArchive,
  ],
  exports: [StreamingService],
})
export class StreamingModule {}
