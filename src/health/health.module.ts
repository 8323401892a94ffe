import { Module } from '@nestjs/common';
import { StorageModule } from '@app/storage/storage.module';
import { StreamingModule } from '@app/streaming/streaming.module';
import { HealthController } from './health.controller';

@Module({ imports: [StorageModule, StreamingModule], controllers: [HealthController] })
export class HealthModule {}
