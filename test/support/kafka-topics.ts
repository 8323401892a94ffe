import { Kafka, logLevel } from 'kafkajs';
import { type AppConfig } from '@app/config';
import { eventually } from './environment';

export interface TopicMessage {
  readonly key: string | null;
  readonly value: string;
  readonly partition: number;
  readonly offset: string;
  readonly timestampMs: number;
}

/** Reads a topic from the beginning until `count` messages arrived (or `timeoutMs` passed). */
export async function readTopic(
  config: AppConfig,
  topic: string,
  count: number,
  timeoutMs = 60_000,
): Promise<TopicMessage[]> {
  const kafka = new Kafka({ brokers: [...config.kafka.brokers], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Date.now()}` });
  const messages: TopicMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message, partition }) => {
        messages.push({
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? '',
          partition,
          offset: message.offset,
          timestampMs: Number(message.timestamp),
        });
        return Promise.resolve();
      },
    });
    await eventually(
      () => Promise.resolve(messages.length),
      (n) => n >= count,
      { timeoutMs, what: `${count} messages on ${topic}` },
    );
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** How many messages a topic holds in all its partitions. */
export async function topicSize(config: AppConfig, topic: string): Promise<number> {
  const admin = new Kafka({
    brokers: [...config.kafka.brokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}
