import { Controller, Get, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { type Response } from 'express';
import { MessageBroker } from '@app/kafka/ports';
import { Warehouse, WindowStore } from '@app/storage/ports';
import { type DependencyHealth } from '@app/common/health';
import { AppConfig } from '@app/config';
import { StreamingService } from '@app/streaming/streaming.service';

class DependencyHealthDto {
  @ApiProperty({ enum: ['up', 'down'], example: 'up' }) readonly status!: 'up' | 'down';
  @ApiProperty({ example: '1 broker(s), controller 1' }) readonly detail!: string;
  @ApiProperty({ example: 3, required: false }) readonly latencyMs?: number;
  @ApiProperty({ example: 'Connection timeout', required: false }) readonly lastError?: string;
  @ApiProperty({
    example:
      '6 partition(s) under-replicated (as few as 2 of 3 replicas in sync), e.g. reddit.events/0',
    required: false,
    description: 'Up, with less redundancy than configured; also listed in warnings',
  })
  readonly warning?: string;
}

class DependenciesDto {
  @ApiProperty({ type: DependencyHealthDto }) readonly kafka!: DependencyHealthDto;
  @ApiProperty({ type: DependencyHealthDto }) readonly cassandra!: DependencyHealthDto;
  @ApiProperty({ type: DependencyHealthDto }) readonly warehouse!: DependencyHealthDto;
}

class PausedPartitionDto {
  @ApiProperty({ example: 'reddit.events' }) readonly topic!: string;
  @ApiProperty({ example: 2 }) readonly partition!: number;
  @ApiProperty({ example: 'flushing failed: All host(s) tried for query failed' })
  readonly reason!: string;
  @ApiProperty({ example: '2025-01-01T00:00:00.000Z' }) readonly since!: string;
  @ApiProperty({ example: '2025-01-01T00:00:05.000Z' }) readonly retryAt!: string;
}

class LateDropsDto {
  @ApiProperty({ example: 'replay-2016' }) readonly streamId!: string;
  @ApiProperty({ example: 64 }) readonly events!: number;
  @ApiProperty({ example: 'reddit.late-events' }) readonly sentTo!: string;
}

class StreamingHealthDto {
  @ApiProperty({
    enum: ['running', 'paused', 'stopped', 'disabled'],
    example: 'running',
    description: 'paused: some partitions wait for a store to recover (see paused)',
  })
  readonly state!: 'running' | 'paused' | 'stopped' | 'disabled';
  @ApiProperty({ type: [Number], example: [0, 1, 2] }) readonly partitions!: number[];
  @ApiProperty({ type: [PausedPartitionDto] }) readonly paused!: PausedPartitionDto[];
  @ApiProperty({ example: '2025-01-01T00:00:00.000Z', nullable: true, type: String })
  readonly watermark!: string | null;
  @ApiProperty({ example: 42 }) readonly openWindows!: number;
  @ApiProperty({ example: '2025-01-01T00:00:01.000Z', nullable: true, type: String })
  readonly lastFlushAt!: string | null;
  @ApiProperty({
    type: [LateDropsDto],
    description:
      'Streams whose events were too late for every window they belong to, on the partitions this server holds: not counted, sent to the late-events topic.',
  })
  readonly tooLate!: LateDropsDto[];
}

export class HealthResponseDto {
  @ApiProperty({ enum: ['ok', 'degraded'], example: 'ok' }) readonly status!: 'ok' | 'degraded';
  @ApiProperty({ type: DependenciesDto }) readonly dependencies!: DependenciesDto;
  @ApiProperty({ type: StreamingHealthDto }) readonly streaming!: StreamingHealthDto;
  @ApiProperty({
    type: [String],
    example: [
      'stream replay-2016: 64 events too late for their windows, sent to reddit.late-events',
    ],
    description:
      'Problems that do not make the server unhealthy: events dropped as late, a dependency with less redundancy than configured (e.g. a Kafka broker down).',
  })
  readonly warnings!: string[];
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const TIMEOUT_MS = 3000;

function withTimeout(check: Promise<DependencyHealth>): Promise<DependencyHealth> {
  return Promise.race([
    check,
    new Promise<DependencyHealth>((resolve) =>
      setTimeout(
        () => resolve({ status: 'down', detail: `no answer within ${TIMEOUT_MS} ms` }),
        TIMEOUT_MS,
      ).unref(),
    ),
  ]);
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly kafka: MessageBroker,
    private readonly windows: WindowStore,
    private readonly warehouse: Warehouse,
    private readonly streaming: StreamingService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      "Each dependency's state and the consumer's; 503 when any is down or consumption is paused",
  })
  @ApiOkResponse({ type: HealthResponseDto })
  @ApiServiceUnavailableResponse({ type: HealthResponseDto })
  async check(@Res({ passthrough: true }) response: Response): Promise<HealthResponseDto> {
    const [kafka, cassandra, warehouse] = await Promise.all([
      withTimeout(this.kafka.health()),
      withTimeout(this.windows.health()),
      withTimeout(this.warehouse.health()),
    ]);
    const status = this.streaming.status();
    const streaming: StreamingHealthDto = {
      state: this.config.streaming.enabled ? status.state : 'disabled',
      partitions: status.partitions,
      paused: status.paused.map((p) => ({
        topic: p.topic,
        partition: p.partition,
        reason: p.reason,
        since: new Date(p.sinceMs).toISOString(),
        retryAt: new Date(p.retryAtMs).toISOString(),
      })),
      watermark: iso(status.watermarkMs),
      openWindows: status.openWindows,
      lastFlushAt: iso(status.lastFlushAtMs),
      tooLate: status.tooLate.map((late) => ({
        ...late,
        sentTo: this.config.kafka.topics.lateEvents,
      })),
    };
    const healthy =
      [kafka, cassandra, warehouse].every((d) => d.status === 'up') && streaming.state !== 'paused';
    response.status(healthy ? 200 : 503);
    return {
      status: healthy ? 'ok' : 'degraded',
      dependencies: { kafka, cassandra, warehouse },
      streaming,
      warnings: [
        ...Object.entries({ kafka, cassandra, warehouse }).flatMap(([name, dependency]) =>
          dependency.warning ? [`${name}: ${dependency.warning}`] : [],
        ),
        ...streaming.tooLate.map(
          (late) =>
            `stream ${late.streamId || '(unknown)'}: ${late.events} event(s) too late for their windows, sent to ${late.sentTo}`,
        ),
      ],
    };
  }
}
