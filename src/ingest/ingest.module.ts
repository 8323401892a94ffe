import { Module } from '@nestjs/common';
import { StorageModule } from '@app/storage/storage.module';
import { StreamOutcomesReader } from './stream-outcomes.reader';
import { StreamSourceFactory } from './stream-sources';
import { StreamsController } from './streams.controller';
import { StreamsService } from './streams.service';

@Module({
  imports: [StorageModule],
  controllers: [StreamsController],
  providers: [StreamsService, StreamSourceFactory, StreamOutcomesReader],
  exports: [StreamsService],
})
export class IngestModule {}
