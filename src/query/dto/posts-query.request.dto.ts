import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';

export class PostsQueryRequestDto {
  @ApiPropertyOptional({ description: 'How many posts, newest first.', example: 25, default: 25 })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value,
  )
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(500, { message: 'limit must be at most 500' })
  readonly limit?: number;

  @ApiPropertyOptional({
    description:
      'Only posts created before this instant (ISO-8601): pass the last createdAt to page back. Defaults to now.',
    example: '2025-01-01T12:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'before must be an ISO-8601 date-time' })
  readonly before?: string;
}
