import { Module } from '@nestjs/common';
import { NlpModule } from '@app/nlp/nlp.module';
import { StorageModule } from '@app/storage/storage.module';
import { EventsHandler } from './events.handler';
import {
  DeadLetterSink,
  KafkaDeadLetterSink,
  KafkaLateEventSink,
  KafkaWindowPublisher,
  LateEventSink,
  WindowPublisher,
} from './outputs';
import { ConsumerControl } from './transport/consumer-control';
import { StreamingService } from './streaming.service';
import { WindowsController } from './windows.controller';
import { PostsService } from './posts.service';
import { WindowsService } from './windows.service';

@Module({
  imports: [NlpModule, StorageModule],
  controllers: [EventsHandler, WindowsController],
  providers: [
    StreamingService,
    WindowsService,
    PostsService,
    { provide: DeadLetterSink, useClass: KafkaDeadLetterSink },
    { provide: WindowPublisher, useClass: KafkaWindowPublisher },
    { provide: LateEventSink, useClass: KafkaLateEventSink },
    ConsumerControl,
  ],
  exports: [StreamingService, ConsumerControl],
})
export class StreamingModule {}
