import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PostsQueryRequestDto } from './dto/posts-query.request.dto';
import { PostResponseDto, PostsResponseDto } from './dto/posts.response.dto';
import { SubredditParamRequestDto } from './dto/subreddit-param.request.dto';
import { WindowsQueryRequestDto } from './dto/windows-query.request.dto';
import { WindowResponseDto, WindowsResponseDto } from './dto/windows.response.dto';
import { PostsService } from './posts.service';
import { WindowsService } from './windows.service';

@ApiTags('windows')
@Controller('api/subreddits')
export class WindowsController {
  constructor(
    private readonly windows: WindowsService,
    private readonly posts: PostsService,
  ) {}

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
    const result = await this.windows.find(params.name, query.window, query.from, query.to);
    return {
      subreddit: result.subreddit,
      window: result.window,
      from: new Date(result.fromMs).toISOString(),
      to: new Date(result.toMs).toISOString(),
      windows: result.windows.map((record) => WindowResponseDto.from(record)),
    };
  }

  @Get(':name/posts')
  @ApiOperation({
    summary: "A subreddit's latest enriched posts and comments, newest first (with sentiment)",
  })
  @ApiOkResponse({ type: PostsResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid subreddit name, limit or before.' })
  async latestPosts(
    @Param() params: SubredditParamRequestDto,
    @Query() query: PostsQueryRequestDto,
  ): Promise<PostsResponseDto> {
    const result = await this.posts.latest(params.name, query.limit, query.before);
    return {
      subreddit: result.subreddit,
      posts: result.posts.map((post) => PostResponseDto.from(post)),
    };
  }
}
