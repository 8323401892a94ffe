import { Controller, Get, Headers, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { subredditKey } from '@app/events/reddit-event';
import { type TrendRecord, type WindowRecord } from '@app/storage/records';
import {
  LiveTrendsQueryRequestDto,
  LiveWindowsQueryRequestDto,
} from '../dto/live-query.request.dto';
import { LiveGapDto, LiveWindowDto } from '../dto/live.response.dto';
import { TrendFindingDto } from '../dto/trends.response.dto';
import { EventStream } from './event-stream';
import { LiveService } from './live.service';

const GAP_MESSAGE =
  'updates older than this server keeps were missed; read them from /api/subreddits/{name}/windows or /api/trends';

const RESUME_HEADER = {
  name: 'Last-Event-ID',
  required: false,
  description:
    'The id of the last event received: the stream resumes right after it (browsers send it when they reconnect), on this server or any other.',
};

@ApiTags('live')
@ApiExtraModels(LiveWindowDto, TrendFindingDto, LiveGapDto)
@Controller('api/live')
export class LiveController {
  constructor(private readonly live: LiveService) {}

  @Get('windows')
  @ApiOperation({
    summary: 'Server-Sent Events: window updates of chosen subreddits, as each flush lands',
    description:
      'A text/event-stream of `window` events (data: a window as its flush wrote it, with subreddit and window spec), every partition\'s, whichever server you are connected to. Each event has an id; reconnecting with it as Last-Event-ID resumes after it. A `gap` event says updates were missed beyond what the server keeps. Comments (": keep-alive") arrive every 15 s.',
  })
  @ApiHeader(RESUME_HEADER)
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: `Events: window (data: ${getSchemaPath(LiveWindowDto)}), gap (data: ${getSchemaPath(LiveGapDto)}).`,
    content: {
      'text/event-stream': {
        schema: { type: 'string' },
        example:
          'event: window\nid: 0-1z.1-a3.2-k\ndata: {"subreddit":"wallstreetbets","window":"1m","windowStart":"2025-01-01T00:00:00.000Z","windowEnd":"2025-01-01T00:01:00.000Z","submissions":3,"comments":41,"events":44,"final":false,"...":"..."}\n\n',
      },
    },
  })
  @ApiBadRequestResponse({
    description: 'Invalid subreddits or window; the message names the field.',
  })
  windows(
    @Query() query: LiveWindowsQueryRequestDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): void {
    const subreddits = new Set(query.subreddits.split(',').map(subredditKey));
    const stream = new EventStream(request, response);
    const unsubscribe = this.live.subscribeWindows(
      {
        wants: (w: WindowRecord) =>
          subreddits.has(w.subreddit) && (query.window === undefined || w.window === query.window),
        send: (id, w) => stream.send('window', LiveWindowDto.fromRecord(w), id),
        gap: (partitions) => stream.send('gap', { partitions, message: GAP_MESSAGE }),
      },
      lastEventId ?? query.lastEventId ?? null,
    );
    stream.closed$(unsubscribe);
  }

  @Get('trends')
  @ApiOperation({
    summary: 'Server-Sent Events: rising terms, mood shifts and bursts, as each is found',
    description:
      "A text/event-stream of `trend` events (data: one finding, as GET /api/trends rows), every partition's, whichever server you are connected to, optionally for one subreddit or kind. Reconnecting with the last event id as Last-Event-ID resumes after it; a `gap` event says findings were missed beyond what the server keeps.",
  })
  @ApiHeader(RESUME_HEADER)
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: `Events: trend (data: ${getSchemaPath(TrendFindingDto)}), gap (data: ${getSchemaPath(LiveGapDto)}).`,
    content: {
      'text/event-stream': {
        schema: { type: 'string' },
        example:
          'event: trend\nid: 0-9.1-4\ndata: {"scope":"wallstreetbets","kind":"ticker","term":"$NVDA","lane":"live","minute":"2025-03-03T12:34:00.000Z","since":"2025-03-03T12:33:00.000Z","value":42,"expected":3.1,"score":21.8,"confidence":0.9999999,"isNew":false,"detectedAt":"2025-03-03T12:35:11.250Z"}\n\n',
      },
    },
  })
  @ApiBadRequestResponse({ description: 'Invalid scope or kind; the message names the field.' })
  trends(
    @Query() query: LiveTrendsQueryRequestDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): void {
    const scope =
      query.scope === undefined || query.scope === '*'
        ? (query.scope ?? null)
        : subredditKey(query.scope);
    const stream = new EventStream(request, response);
    const unsubscribe = this.live.subscribeTrends(
      {
        wants: (t: TrendRecord) =>
          (scope === null || t.scope === scope) &&
          (query.kind === undefined || t.kind === query.kind),
        send: (id, t) => stream.send('trend', TrendFindingDto.from(t), id),
        gap: (partitions) => stream.send('gap', { partitions, message: GAP_MESSAGE }),
      },
      lastEventId ?? query.lastEventId ?? null,
    );
    stream.closed$(unsubscribe);
  }
}
