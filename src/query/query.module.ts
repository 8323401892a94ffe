import { Module } from '@nestjs/common';
import { StorageModule } from '@app/storage/storage.module';
import { PostsService } from './posts.service';
import { SettingsController } from './settings.controller';
import { LiveController } from './live/live.controller';
import { LiveService } from './live/live.service';
import { TrendsController } from './trends.controller';
import { TrendsService } from './trends.service';
import { WindowsController } from './windows.controller';
import { WindowsService } from './windows.service';

/**
 * The read side: windows, posts and trends as stored, for the REST API, and
 * their updates as the streaming consumers publish them, for live clients
 * (Server-Sent Events). It reads storage and the output topics only, never
 * the streaming state, so it answers the same on every server and while the
 * consumer is paused or rebalancing.
 */
@Module({
  imports: [StorageModule],
  controllers: [WindowsController, TrendsController, LiveController, SettingsController],
  providers: [WindowsService, PostsService, TrendsService, LiveService],
})
export class QueryModule {}
