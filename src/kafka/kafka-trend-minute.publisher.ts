import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { type MinutesReport } from '@app/trends/domain';
import { KafkaConnection } from './kafka-connection';
import { TrendMinutePublisher } from './ports';

@Injectable()
export class KafkaTrendMinutePublisher extends TrendMinutePublisher {
  constructor(
    private readonly kafka: KafkaConnection,
    private readonly config: AppConfig,
  ) {
    super();
  }

  /**
   * In order. A report part is at most 768 KiB (REPORT_PART_CHARS), and the
   * connection cuts the send into requests under Kafka's 1 MB.
   */
  async publish(reports: readonly MinutesReport[]): Promise<void> {
    await this.kafka.send(
      this.config.kafka.topics.trendMinutes,
      reports.map((report) => ({
        key: report.source,
        // The topic has one partition: one judge, one order.
        partition: 0,
        value: JSON.stringify(report),
      })),
    );
  }
}
