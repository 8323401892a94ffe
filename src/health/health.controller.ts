import { Controller, Get, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { type Response } from 'express';
import { KafkaConnection } from '@app/kafka/kafka-connection';
import { Warehouse, WindowStore } from '@app/storage/ports';
import { type DependencyHealth } from '@app/common/health';

class DependencyHealthDto {
  @ApiProperty({ enum: ['up', 'down'], example: 'up' }) readonly status!: 'up' | 'down';
  @ApiProperty({ example: '1 broker(s), controller 1' }) readonly detail!: string;
  @ApiProperty({ example: 3, required: false }) readonly latencyMs?: number;
  @ApiProperty({ example: 'Connection timeout', required: false }) readonly lastError?: string;
}

class DependenciesDto {
  @ApiProperty({ type: DependencyHealthDto }) readonly kafka!: DependencyHealthDto;
  @ApiProperty({ type: DependencyHealthDto }) readonly cassandra!: DependencyHealthDto;
  @ApiProperty({ type: DependencyHealthDto }) readonly warehouse!: DependencyHealthDto;
}

export class HealthResponseDto {
  @ApiProperty({ enum: ['ok', 'degraded'], example: 'ok' }) readonly status!: 'ok' | 'degraded';
  @ApiProperty({ type: DependenciesDto }) readonly dependencies!: DependenciesDto;
}

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
    private readonly kafka: KafkaConnection,
    private readonly windows: WindowStore,
    private readonly warehouse: Warehouse,
  ) {}

  @Get()
  @ApiOperation({ summary: "Each dependency's state; 503 when any is down" })
  @ApiOkResponse({ type: HealthResponseDto })
  @ApiServiceUnavailableResponse({ type: HealthResponseDto })
  async check(@Res({ passthrough: true }) response: Response): Promise<HealthResponseDto> {
    const [kafka, cassandra, warehouse] = await Promise.all([
      withTimeout(this.kafka.health()),
      withTimeout(this.windows.health()),
      withTimeout(this.warehouse.health()),
    ]);
    const healthy = [kafka, cassandra, warehouse].every((d) => d.status === 'up');
    response.status(healthy ? 200 : 503);
    return { status: healthy ? 'ok' : 'degraded', dependencies: { kafka, cassandra, warehouse } };
  }
}
