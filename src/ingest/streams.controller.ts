import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { API_KEY_SCHEME } from '@app/common/api-key.guard';
import { AppConfig } from '@app/config';
import { NO_OUTCOMES, type StreamOutcomes } from '@app/events/stream-outcomes';
import { StartStreamRequestDto } from './dto/start-stream.request.dto';
import { StreamResponseDto } from './dto/stream.response.dto';
import { type StreamSnapshot } from './stream-runner';
import { StreamsService } from './streams.service';

const STREAM_ID = { name: 'id', example: 'reddit-3f9a1c0b7d2e' } as const;

@ApiTags('streams')
@Controller('api/streams')
export class StreamsController {
  constructor(
    private readonly streams: StreamsService,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @ApiSecurity(API_KEY_SCHEME)
  @ApiOperation({
    summary: 'Start an ingest stream',
    description:
      "Validates the subreddits (reddit: against Reddit's /about) or the dump file (replay) first. The stream survives server restarts.",
  })
  @ApiCreatedResponse({ type: StreamResponseDto })
  @ApiBadRequestResponse({ description: 'A field is invalid; the message names it.' })
  @ApiUnauthorizedResponse({ description: 'Missing or invalid API key.' })
  @ApiNotFoundResponse({ description: 'A subreddit or the dump file does not exist.' })
  @ApiForbiddenResponse({ description: 'A subreddit is private, quarantined or banned.' })
  @ApiConflictResponse({ description: 'A stream with the same id is already running or paused.' })
  @ApiUnprocessableEntityResponse({
    description: 'Reddit credentials or user agent are not configured.',
  })
  async start(@Body() request: StartStreamRequestDto): Promise<StreamResponseDto> {
    return StreamResponseDto.from(await this.streams.start(request));
  }

  @Get()
  @ApiOperation({ summary: 'List streams with their state and counters' })
  @ApiOkResponse({ type: StreamResponseDto, isArray: true })
  async list(): Promise<StreamResponseDto[]> {
    const consumed = await this.streams.consumed();
    return this.streams.list().map((snapshot) => this.response(snapshot, consumed));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One stream' })
  @ApiParam(STREAM_ID)
  @ApiOkResponse({ type: StreamResponseDto })
  @ApiNotFoundResponse({ description: 'No stream with this id.' })
  async get(@Param('id') id: string): Promise<StreamResponseDto> {
    const snapshot = this.streams.get(id);
    return this.response(snapshot, await this.streams.consumed());
  }

  @Post(':id/pause')
  @ApiSecurity(API_KEY_SCHEME)
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause a running stream (its position is kept)' })
  @ApiParam(STREAM_ID)
  @ApiOkResponse({ type: StreamResponseDto })
  @ApiNotFoundResponse({ description: 'No stream with this id.' })
  @ApiConflictResponse({ description: 'The stream is completed or stopped.' })
  async pause(@Param('id') id: string): Promise<StreamResponseDto> {
    return StreamResponseDto.from(await this.streams.pause(id));
  }

  @Post(':id/resume')
  @ApiSecurity(API_KEY_SCHEME)
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a paused stream where it left off' })
  @ApiParam(STREAM_ID)
  @ApiOkResponse({ type: StreamResponseDto })
  @ApiNotFoundResponse({ description: 'No stream with this id.' })
  @ApiConflictResponse({ description: 'The stream is completed or stopped.' })
  async resume(@Param('id') id: string): Promise<StreamResponseDto> {
    return StreamResponseDto.from(await this.streams.resume(id));
  }

  @Delete(':id')
  @ApiSecurity(API_KEY_SCHEME)
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop a stream for good; returns its final state and counters' })
  @ApiParam(STREAM_ID)
  @ApiOkResponse({ type: StreamResponseDto })
  @ApiNotFoundResponse({ description: 'No stream with this id.' })
  async stop(@Param('id') id: string): Promise<StreamResponseDto> {
    return StreamResponseDto.from(await this.streams.stop(id));
  }

  private response(
    snapshot: StreamSnapshot,
    consumed: ReadonlyMap<string, StreamOutcomes> | null,
  ): StreamResponseDto {
    return StreamResponseDto.from(snapshot, {
      outcomes: consumed === null ? null : (consumed.get(snapshot.definition.id) ?? NO_OUTCOMES),
      lateEventsTopic: this.config.kafka.topics.lateEvents,
      deadLetterTopic: this.config.kafka.topics.deadLetter,
    });
  }
}
