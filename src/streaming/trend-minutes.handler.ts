import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type ConsumedBatch } from '@app/kafka/consumer/consumed-batch';
import { OverallTrendsService } from './overall-trends.service';
import { type BatchOutcome } from './streaming.service';

/** Logical pattern of the subreddit-minutes topic; the transport maps it to the configured name. */
export const TREND_MINUTES_PATTERN = 'reddit.trend-minutes';

/** Kafka entry point of the all-subreddits trend scope. */
@Controller()
export class TrendMinutesHandler {
  constructor(private readonly overall: OverallTrendsService) {}

  @EventPattern(TREND_MINUTES_PATTERN)
  handleMinutes(@Payload() batch: ConsumedBatch): Promise<BatchOutcome> {
    return this.overall.processBatch(batch);
  }
}
