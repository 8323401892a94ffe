import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';

export class WindowsQueryRequestDto {
  @ApiPropertyOptional({
    description: 'Inclusive start of the range (ISO-8601). Defaults to one hour before `to`.',
    example: '2025-01-01T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 date-time' })
  readonly from?: string;

  @ApiPropertyOptional({
    description: 'Exclusive end of the range (ISO-8601). Defaults to now.',
    example: '2025-01-01T01:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 date-time' })
  readonly to?: string;

  @ApiPropertyOptional({
    description: 'Window specification.',
    enum: ['1m'],
    example: '1m',
    default: '1m',
  })
  @IsOptional()
  @IsIn(['1m'], { message: 'window must be one of: 1m' })
  readonly window?: '1m';
}
