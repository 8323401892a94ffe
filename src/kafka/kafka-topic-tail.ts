import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { type Consumer } from 'kafkajs';
import { AppConfig } from '@app/config';
import { KafkaConnection } from './kafka-connection';
import { type TailFollower, TopicTail } from './ports';

/**
 * A consumer in a group of its own (one per process, never committing), so
 * it gets every partition, from where each ended when it started: Kafka has
 * no group-less subscription, and a group with no committed offsets leaves
 * nothing behind once it is gone. After a rejoin of its own group it goes on
 * from the records it has read.
 */
@Injectable()
export class KafkaTopicTail extends TopicTail {
  private readonly logger = new Logger(KafkaTopicTail.name);
  private consumer: Consumer | null = null;

  constructor(
    private readonly kafka: KafkaConnection,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async follow(topics: readonly string[], follower: TailFollower): Promise<void> {
    // Where each partition ends now: everything from here on is followed,
    // whenever the group gets its partitions (a group without committed
    // offsets would otherwise start at the end as it stands then). After a
    // restart of the tail, where the follower had got to.
    const next = await this.endOffsets(topics);
    for (const [key, offset] of next) {
      const [topic = '', partition = '0'] = splitKey(key);
      const resumed = follower.resumeAt(topic, Number(partition));
      if (resumed !== undefined) next.set(key, resumed);
      follower.onStart(topic, Number(partition), resumed ?? offset);
    }
    const groupId = `${this.config.kafka.consumerGroup}.live.${randomBytes(6).toString('hex')}`;
    const consumer = this.kafka.client.consumer({
      groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
        for (const partition of partitions) {
          const offset = next.get(`${topic}:${partition}`);
          if (offset !== undefined) consumer.seek({ topic, partition, offset });
        }
      }
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: ({ batch }) => {
        const last = batch.messages.at(-1);
        if (last) next.set(`${batch.topic}:${batch.partition}`, String(BigInt(last.offset) + 1n));
        follower.onRecords(
          batch.messages.map((message) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
            value: message.value?.toString() ?? '',
          })),
        );
        return Promise.resolve();
      },
    });
    this.logger.log(`following ${topics.join(', ')} for live updates (group ${groupId})`);
  }

  private async endOffsets(topics: readonly string[]): Promise<Map<string, string>> {
    const admin = this.kafka.client.admin();
    await admin.connect();
    try {
      const next = new Map<string, string>();
      for (const topic of topics) {
        for (const { partition, high } of await admin.fetchTopicOffsets(topic))
          next.set(`${topic}:${partition}`, high);
      }
      return next;
    } finally {
      await admin.disconnect();
    }
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    await consumer?.disconnect();
  }
}

function splitKey(key: string): [string, string] {
  const at = key.lastIndexOf(':');
  return [key.slice(0, at), key.slice(at + 1)];
}
