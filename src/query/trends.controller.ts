import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SubredditParamRequestDto } from './dto/subreddit-param.request.dto';
import {
  SubredditTrendsQueryRequestDto,
  TrendsQueryRequestDto,
} from './dto/trends-query.request.dto';
import { TrendResponseDto, TrendsResponseDto } from './dto/trends.response.dto';
import { type TrendsResult, TrendsService } from './trends.service';

const DESCRIPTION =
  'A term is rising when its count in a minute (or the last two) is far above the rate its own ' +
  'history in the subreddit predicts (Poisson and EWMA-variance baseline, with a minimum ' +
  'support); a mood shift is the mean sentiment moving far from its baseline, a burst the ' +
  'events per minute. Each minute is judged once the watermark has passed it.';

@ApiTags('trends')
@Controller('api')
export class TrendsController {
  constructor(private readonly trends: TrendsService) {}

  @Get('trends')
  @ApiOperation({
    summary: 'Rising terms, mood shifts and activity bursts, strongest first',
    description: DESCRIPTION,
  })
  @ApiOkResponse({ type: TrendsResponseDto })
  @ApiBadRequestResponse({
    description: 'Invalid scope, kind, window, until or limit; the message names the field.',
  })
  async find(@Query() query: TrendsQueryRequestDto): Promise<TrendsResponseDto> {
    return toResponse(await this.trends.find(query));
  }

  @Get('subreddits/:name/trends')
  @ApiOperation({
    summary: "A subreddit's rising terms, mood shifts and activity bursts, strongest first",
    description: DESCRIPTION,
  })
  @ApiOkResponse({ type: TrendsResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid name, kind, window, until or limit.' })
  async forSubreddit(
    @Param() params: SubredditParamRequestDto,
    @Query() query: SubredditTrendsQueryRequestDto,
  ): Promise<TrendsResponseDto> {
    return toResponse(await this.trends.find({ ...query, scope: params.name }));
  }
}

function toResponse(result: TrendsResult): TrendsResponseDto {
  return {
    scope: result.scope,
    kind: result.kind,
    from: new Date(result.fromMs).toISOString(),
    until: new Date(result.untilMs).toISOString(),
    trends: result.trends.map((t) => TrendResponseDto.fromRanked(t)),
  };
}
