import { Module } from '@nestjs/common';
import { StorageModule } from '@app/storage/storage.module';
import { PostsService } from './posts.service';
import { WindowsController } from './windows.controller';
import { WindowsService } from './windows.service';

/**
 * The read side: windows and posts as stored, for the REST API. It reads
 * storage only, never the streaming state, so it answers the same on every
 * server and while the consumer is paused or rebalancing.
 */
@Module({
  imports: [StorageModule],
  controllers: [WindowsController],
  providers: [WindowsService, PostsService],
})
export class QueryModule {}
