import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SubredditParamRequestDto } from './dto/subreddit-param.request.dto';
import { WindowsQueryRequestDto } from './dto/windows-query.request.dto';
import { WindowResponseDto, WindowsResponseDto } from './dto/windows.response.dto';
import { WindowsService } from './windows.service';

@ApiTags('windows')
@Controller('api/subreddits')
export class WindowsController {
  constructor(private readonly windows: WindowsService) {}

  @Get(':name/windows')
  @ApiOperation({ summary: "A subreddit's event-time windows in a time range, oldest first" })
  @ApiOkResponse({ type: WindowsResponseDto })
  @ApiBadRequestResponse({
    description: 'Invalid subreddit name or time range; the message names the field.',
  })
  async find(
    @Param() params: SubredditParamRequestDto,
    @Query() query: WindowsQueryRequestDto,
  ): Promise<WindowsResponseDto> {
    const result = await this.windows.find(params.name, query.window ?? '1m', query.from, query.to);
    return {
      subreddit: result.subreddit,
      window: result.window,
      from: new Date(result.fromMs).toISOString(),
      to: new Date(result.toMs).toISOString(),
      windows: result.windows.map((record) => WindowResponseDto.from(record)),
    };
  }
}
