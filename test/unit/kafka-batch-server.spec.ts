import { Logger } from '@nestjs/common';
import { type Kafka } from 'kafkajs';
import { ConsumerControl, type Assignment } from '@app/kafka/consumer/consumer-control';
import { KafkaBatchServer } from '@app/kafka/consumer/kafka-batch.server';

/**
 * The transport's handling of a consumer that kafkajs has given up on: a
 * crash kafkajs will not restart must not leave the server consuming nothing.
 */

type Listener = (event: { payload: Record<string, unknown> }) => void;

const EVENTS = { CRASH: 'crash', REBALANCING: 'rebalancing', GROUP_JOIN: 'group_join' };

class FakeConsumer {
  readonly events = EVENTS;
  readonly listeners = new Map<string, Listener[]>();
  connected = false;
  running = false;
  disconnects = 0;
  /** How long a disconnect takes (a real one waits for the batches in flight). */
  disconnectMs = 0;
  readonly subscribed: string[] = [];

  on(event: string, listener: Listener): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }
  emit(event: string, payload: Record<string, unknown>): void {
    for (const listener of this.listeners.get(event) ?? []) listener({ payload });
  }
  connect(): Promise<void> {
    this.connected = true;
    return Promise.resolve();
  }
  subscribe({ topic }: { topic: string }): Promise<void> {
    this.subscribed.push(topic);
    return Promise.resolve();
  }
  run(): Promise<void> {
    this.running = true;
    return Promise.resolve();
  }
  async disconnect(): Promise<void> {
    this.disconnects++;
    await new Promise((resolve) => setTimeout(resolve, this.disconnectMs));
    this.connected = false;
    this.running = false;
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function transport(): { server: KafkaBatchServer; consumers: FakeConsumer[]; joins: Assignment[] } {
  const consumers: FakeConsumer[] = [];
  const kafka = {
    consumer: () => {
      const consumer = new FakeConsumer();
      consumers.push(consumer);
      return consumer;
    },
  } as unknown as Kafka;
  const control = new ConsumerControl();
  const joins: Assignment[] = [];
  control.onAssigned((assignment) => joins.push(assignment));
  const server = new KafkaBatchServer({
    kafka,
    groupId: 'group',
    topics: { events: 'reddit.events' },
    partitionsConsumedConcurrently: 1,
    control,
  });
  server.addHandler('events', () => Promise.resolve(), true);
  return { server, consumers, joins };
}

async function listening(server: KafkaBatchServer): Promise<void> {
  const failures: Error[] = [];
  await server.listen((error?: unknown) => {
    if (error instanceof Error) failures.push(error);
  });
  expect(failures).toEqual([]);
}

describe('KafkaBatchServer after a consumer crash', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  afterAll(() => {
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']);
  });

  it('starts a new consumer in the group when kafkajs will not restart the crashed one', async () => {
    const { server, consumers, joins } = transport();
    await listening(server);
    expect(consumers).toHaveLength(1);

    const error = Object.assign(new Error('Not authorized to access group'), {
      name: 'KafkaJSProtocolError',
    });
    consumers[0]!.emit(EVENTS.CRASH, { error, groupId: 'group', restart: false });
    await until(() => consumers.length === 2 && consumers[1]!.running, 'a new consumer');
    expect(consumers[0]!.disconnects).toBe(1);
    expect(consumers[1]!.subscribed).toEqual(['reddit.events']);

    // The new consumer's join reaches the streaming service (it rebuilds every partition).
    consumers[1]!.emit(EVENTS.GROUP_JOIN, { memberAssignment: { 'reddit.events': [0, 1] } });
    expect(joins.at(-1)).toEqual(new Map([['reddit.events', [0, 1]]]));
    await server.close();
  });

  it('starts no consumer once closed, even when the close comes while a restart is under way', async () => {
    const { server, consumers } = transport();
    await listening(server);
    consumers[0]!.disconnectMs = 300;
    const error = Object.assign(new Error('Not authorized to access group'), {
      name: 'KafkaJSProtocolError',
    });
    consumers[0]!.emit(EVENTS.CRASH, { error, groupId: 'group', restart: false });
    // The restart fires after a second and waits on the old consumer's disconnect.
    await until(() => consumers[0]!.disconnects === 1, 'the restart');
    await server.close();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(consumers.filter((c) => c.running)).toEqual([]);
  });

  it('leaves a crash kafkajs restarts itself to kafkajs, and restarts nothing once closed', async () => {
    const { server, consumers } = transport();
    await listening(server);
    const error = Object.assign(new Error('Connection timeout'), {
      name: 'KafkaJSNumberOfRetriesExceeded',
    });
    consumers[0]!.emit(EVENTS.CRASH, { error, groupId: 'group', restart: true });
    await server.close();
    consumers[0]!.emit(EVENTS.CRASH, { error, groupId: 'group', restart: false });
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(consumers).toHaveLength(1);
  });
});
