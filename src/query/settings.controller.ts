import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppConfig } from '@app/config';
import { SettingsResponseDto } from './dto/settings.response.dto';

@ApiTags('windows')
@Controller('api/settings')
export class SettingsController {
  constructor(private readonly config: AppConfig) {}

  @Get()
  @ApiOperation({
    summary:
      'The window specs, and whether trends are on: what the live page and clients ask first',
  })
  @ApiOkResponse({ type: SettingsResponseDto })
  settings(): SettingsResponseDto {
    return {
      windowSpecs: [...this.config.streaming.windowSpecs],
      trendsEnabled: this.config.trends.enabled,
      readsRequireApiKey: this.config.api.readsRequireApiKey,
    };
  }
}
