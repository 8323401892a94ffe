import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { type DeadLetter } from '@app/events/dead-letter';
import { KafkaConnection } from './kafka-connection';
import { DeadLetterSink } from './ports';

/**
 * Writes dead letters as JSON with the reason and stage also in headers, so
 * a reader can filter without parsing. Keyed by the ingest stream or by the
 * source message's key, so one stream's or subreddit's letters stay in order.
 */
@Injectable()
export class KafkaDeadLetterSink extends DeadLetterSink {
  constructor(
    private readonly kafka: KafkaConnection,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async send(letters: readonly DeadLetter[]): Promise<void> {
    await this.kafka.send(
      this.config.kafka.topics.deadLetter,
      letters.map((letter) => ({
        key:
          letter.stage === 'ingest'
            ? letter.streamId
            : (letter.key ?? `${letter.topic}-${letter.partition}`),
        value: JSON.stringify(letter),
        headers: {
          reason: letter.reason.slice(0, 200),
          stage: letter.stage,
          ...(letter.stage === 'streaming' ? { 'source-topic': letter.topic } : {}),
        },
      })),
    );
  }
}
