import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiBadRequestResponse,
} from '@nestjs/swagger';
import { StartStreamRequestDto } from './dto/start-stream.request.dto';
import { StreamResponseDto } from './dto/stream.response.dto';
import { StreamsService } from './streams.service';

@ApiTags('streams')
@Controller('api/streams')
export class StreamsController {
  constructor(private readonly streams: StreamsService) {}

  @Post()
  @ApiOperation({ summary: 'Start an ingest stream' })
  @ApiCreatedResponse({ type: StreamResponseDto })
  @ApiBadRequestResponse({ description: 'A field is invalid; the message names it.' })
  @ApiConflictResponse({ description: 'A stream with the same id is already running.' })
  start(@Body() request: StartStreamRequestDto): StreamResponseDto {
    return StreamResponseDto.from(this.streams.start(request));
  }

  @Get()
  @ApiOperation({ summary: 'List streams with their state and counters' })
  @ApiOkResponse({ type: StreamResponseDto, isArray: true })
  list(): StreamResponseDto[] {
    return this.streams.list().map((snapshot) => StreamResponseDto.from(snapshot));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One stream' })
  @ApiParam({ name: 'id', example: 'synthetic-3f9a1c0b7d2e' })
  @ApiOkResponse({ type: StreamResponseDto })
  @ApiNotFoundResponse({ description: 'No stream with this id.' })
  get(@Param('id') id: string): StreamResponseDto {
    return StreamResponseDto.from(this.streams.get(id));
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop a stream; returns its final state and counters' })
  @ApiParam({ name: 'id', example: 'synthetic-3f9a1c0b7d2e' })
  @ApiOkResponse({ type: StreamResponseDto })
  @ApiNotFoundResponse({ description: 'No stream with this id.' })
  async stop(@Param('id') id: string): Promise<StreamResponseDto> {
    return StreamResponseDto.from(await this.streams.stop(id));
  }
}
