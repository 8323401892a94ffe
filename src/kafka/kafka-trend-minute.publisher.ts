import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { type MinutesReport, topicOf } from '@app/trends/domain';
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
   * connection cuts the send into requests under Kafka's 1 MB. Each report
   * says how many partitions its source topic has, which only Kafka knows:
   * the judge then waits for every one of them (MinutesReport.partitions).
   */
  async publish(reports: readonly MinutesReport[]): Promise<void> {
    const counts = new Map<string, number | null>();
    for (const report of reports) {
      if (report.tick) continue;
      const topic = topicOf(report.source);
      if (!counts.has(topic)) counts.set(topic, await this.kafka.partitionCount(topic));
    }
    await this.kafka.send(
      this.config.kafka.topics.trendMinutes,
      reports.map((report) => {
        const partitions = report.tick ? null : counts.get(topicOf(report.source));
        return {
          key: report.source,
          // The topic has one partition: one judge, one order.
          partition: 0,
          value: JSON.stringify(partitions ? { ...report, partitions } : report),
        };
      }),
    );
  }
}
