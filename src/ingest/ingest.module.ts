import { Module } from '@nestjs/common';
import { StorageModule } from '@app/storage/storage.module';
import { StreamSourceFactory } from './stream-sources';
import { StreamsController } from './streams.controller';
import { StreamsService } from './streams.service';

@Module({
  imports: [StorageModule],
  controllers: [StreamsController],
  providers: [StreamsService, StreamSourceFactory],
  exports: [StreamsService],
})
export class IngestModule {}
