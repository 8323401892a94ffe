import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, Matches } from 'class-validator';

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
    description:
      'Window spec, one of WINDOW_SPECS: "1m" (tumbling) or "5m/1m" (5-minute windows sliding by 1 minute). Defaults to the first configured spec.',
    example: '1m',
  })
  @IsOptional()
  @Matches(/^\d+(ms|s|m|h|d)(\/\d+(ms|s|m|h|d))?$/, {
    message: 'window must be a window spec such as "1m" or "5m/1m"',
  })
  readonly window?: string;
}
