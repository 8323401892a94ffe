import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { type MinutesReport } from '@app/trends/domain';
import { KafkaConnection, type OutgoingMessage } from './kafka-connection';
import { TrendMinutePublisher } from './ports';

/** Bytes of values per produce request (the records' own overhead is small). */
const REQUEST_BYTES = 800 * 1024;

@Injectable()
export class KafkaTrendMinutePublisher extends TrendMinutePublisher {
  constructor(
    private readonly kafka: KafkaConnection,
    private readonly config: AppConfig,
  ) {
    super();
  }

  /**
   * In order, in as many requests as it takes to keep each under Kafka's
   * default 1 MB (a request's messages to one partition travel as one
   * record batch, which the broker takes whole or not at all). A report
   * part is at most 768 KiB (REPORT_PART_CHARS).
   */
  async publish(reports: readonly MinutesReport[]): Promise<void> {
    let request: OutgoingMessage[] = [];
    let bytes = 0;
    for (const report of reports) {
      const value = JSON.stringify(report);
      const size = Buffer.byteLength(value) + report.source.length;
      if (request.length > 0 && bytes + size > REQUEST_BYTES) {
        await this.kafka.send(this.config.kafka.topics.trendMinutes, request);
        request = [];
        bytes = 0;
      }
      // The topic has one partition: one judge, one order.
      request.push({ key: report.source, partition: 0, value });
      bytes += size;
    }
    await this.kafka.send(this.config.kafka.topics.trendMinutes, request);
  }
}
