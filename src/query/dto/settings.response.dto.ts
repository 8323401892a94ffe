import { ApiProperty } from '@nestjs/swagger';

/** What a client needs to know about this server to query it (no secrets). */
export class SettingsResponseDto {
  @ApiProperty({
    example: ['1m', '5m/1m'],
    type: [String],
    description:
      'The window specs windows are computed for (WINDOW_SPECS); the first is the default.',
  })
  readonly windowSpecs!: string[];
  @ApiProperty({ example: true, description: 'Whether trend detection runs (TRENDS_ENABLED).' })
  readonly trendsEnabled!: boolean;
  @ApiProperty({
    example: false,
    description: 'Whether reads need the API key too (READS_REQUIRE_API_KEY).',
  })
  readonly readsRequireApiKey!: boolean;
}
