import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ReadOnly } from '@app/common/api-key.guard';
import { AnalyzeRequestDto } from './dto/analyze.request.dto';
import { AnalyzeResponseDto } from './dto/analyze.response.dto';
import { NlpService } from './nlp.service';

@ApiTags('nlp')
@Controller('api/nlp')
export class NlpController {
  constructor(private readonly nlp: NlpService) {}

  @Post('analyze')
  @HttpCode(200)
  @ReadOnly()
  @ApiOperation({
    summary: 'Analyse ad-hoc text as the pipeline does: sentiment, language, keywords, mentions',
  })
  @ApiOkResponse({ type: AnalyzeResponseDto })
  @ApiBadRequestResponse({ description: 'A field is invalid; the message names it.' })
  @ApiPayloadTooLargeResponse({
    description: 'The body exceeds HTTP_BODY_LIMIT_KB; the message gives the limit.',
  })
  analyze(@Body() request: AnalyzeRequestDto): AnalyzeResponseDto {
    return AnalyzeResponseDto.from(this.nlp.analyze({ title: request.title, body: request.text }));
  }
}
