import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import { lastValueFrom, isObservable } from 'rxjs';
import { type Consumer, type EachBatchPayload, type IHeaders, type Kafka } from 'kafkajs';
import { type ConsumedBatch, type ConsumedMessage } from './consumed-batch';
import { type ConsumerControl } from './consumer-control';

export interface KafkaBatchServerOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  /** Logical pattern used in @EventPattern -> the real topic name from config. */
  readonly topics: Readonly<Record<string, string>>;
  /** Partitions processed at once; a partition's batches are always sequential. */
  readonly partitionsConsumedConcurrently: number;
  /** Lets the handlers' service commit, pause and seek, and tells it about rebalances. */
  readonly control: ConsumerControl;
}

/** What a handler may resolve with; anything else means "done, commit the batch". */
interface HandlerOutcome {
  readonly commitOffset: string | null;
  readonly deferred: boolean;
}

function isHandlerOutcome(value: unknown): value is HandlerOutcome {
  return typeof value === 'object' && value !== null && 'deferred' in value;
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return out;
}

/**
 * A Nest microservice transport that hands handlers whole Kafka batches.
 *
 * Nest's stock Kafka server dispatches message by message; this one keeps the
 * `@EventPattern(pattern)` style but calls the handler once per partition batch
 * (kafkajs `eachBatch`) with a `ConsumedBatch`. Offsets are committed only after
 * the handler's promise (or observable) completes, so a batch whose effects are
 * not durable is redelivered rather than lost. A handler may resolve with a
 * `HandlerOutcome` to commit only what it has made durable, or to defer the
 * batch (leave it unresolved, to be read again). A failing handler leaves the
 * offset where it was; kafkajs retries the batch with backoff.
 */
export class KafkaBatchServer extends Server implements CustomTransportStrategy {
  private readonly log = new Logger(KafkaBatchServer.name);
  private consumer: Consumer | null = null;
  private closed = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private restarting: Promise<void> | null = null;
  /** Restarts since a batch last went through: the backoff grows while a crash recurs at once. */
  private restarts = 0;

  constructor(private readonly options: KafkaBatchServerOptions) {
    super();
  }

  async listen(callback: (...optionalParams: unknown[]) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    // A consumer a restart is building now must not outlive the server.
    await this.restarting;
    this.options.control.detach();
    await this.consumer?.disconnect();
    this.consumer = null;
  }

  on(): never {
    throw new Error('KafkaBatchServer does not support event listeners; use its status instead');
  }

  unwrap<T>(): T {
    if (!this.consumer) throw new Error('KafkaBatchServer is not started');
    return this.consumer as T;
  }

  private async start(): Promise<void> {
    const subscriptions = [...this.messageHandlers.keys()].map((pattern) => {
      const topic = this.options.topics[pattern];
      if (!topic) throw new Error(`no topic configured for @EventPattern('${pattern}')`);
      return { pattern, topic };
    });
    const patternByTopic = new Map(subscriptions.map(({ pattern, topic }) => [topic, pattern]));

    this.consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: 4 * 1024 * 1024,
    });
    const consumer = this.consumer;
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart || consumer !== this.consumer) return;
      this.log.error(
        `the consumer stopped on ${event.payload.error.name}: ${event.payload.error.message}; kafkajs does not restart after this error, so a new consumer joins the group`,
      );
      this.scheduleRestart();
    });
    consumer.on(consumer.events.REBALANCING, () => this.options.control.rebalancing());
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const assignment = new Map<string, number[]>(
        Object.entries(event.payload.memberAssignment).map(([topic, partitions]) => [
          topic,
          [...partitions],
        ]),
      );
      this.options.control.assigned(assignment);
    });
    this.options.control.attach({
      commit: (topic, partition, offset) => consumer.commitOffsets([{ topic, partition, offset }]),
      pause: (topic, partition) => consumer.pause([{ topic, partitions: [partition] }]),
      resume: (topic, partition) => consumer.resume([{ topic, partitions: [partition] }]),
      seek: (topic, partition, offset) => consumer.seek({ topic, partition, offset }),
    });
    await this.consumer.connect();
    for (const { topic } of subscriptions) {
      await this.consumer.subscribe({ topic, fromBeginning: true });
    }
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.handleBatch(payload, patternByTopic),
    });
    this.log.log(
      `consuming ${subscriptions.map((s) => s.topic).join(', ')} as group ${this.options.groupId}`,
    );
  }

  /**
   * kafkajs restarts its consumer after retriable errors only; after any
   * other (a refused request, an unexpected broker answer) it stays stopped
   * and the server would go on serving with nothing consumed. A new consumer
   * joins the group instead; the join rebuilds every partition from its
   * checkpoint, as any rebalance does, so nothing is lost or counted twice.
   */
  private scheduleRestart(): void {
    if (this.closed || this.restartTimer) return;
    const delayMs = Math.min(60_000, 1000 * 2 ** Math.min(this.restarts, 6));
    this.restarts++;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.restarting = this.restart().finally(() => {
        this.restarting = null;
      });
    }, delayMs);
    this.restartTimer.unref();
  }

  private async restart(): Promise<void> {
    if (this.closed) return;
    const old = this.consumer;
    this.options.control.detach();
    this.consumer = null;
    await old?.disconnect().catch(() => undefined);
    if (this.closed) return;
    try {
      // close() waits for this, then disconnects whatever consumer it built.
      await this.start();
    } catch (error) {
      this.log.error(`the new consumer did not start (${String(error)}); trying again`);
      this.scheduleRestart();
    }
  }

  private async handleBatch(
    payload: EachBatchPayload,
    patternByTopic: Map<string, string>,
  ): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0 || !payload.isRunning() || payload.isStale()) return;
    const pattern = patternByTopic.get(batch.topic);
    const handler = pattern === undefined ? null : this.messageHandlers.get(pattern);
    if (!handler) {
      this.log.error(`no handler for topic ${batch.topic}; batch left uncommitted`);
      return;
    }
    const messages: ConsumedMessage[] = batch.messages.map((m) => ({
      offset: m.offset,
      key: m.key ? m.key.toString() : null,
      value: m.value,
      timestampMs: Number(m.timestamp),
      headers: decodeHeaders(m.headers),
    }));
    const consumed: ConsumedBatch = { topic: batch.topic, partition: batch.partition, messages };

    let result: unknown = await handler(consumed, {
      topic: batch.topic,
      partition: batch.partition,
    });
    // Event handlers come back from Nest's proxy as observables; errors surface here.
    if (isObservable(result)) result = await lastValueFrom(result, { defaultValue: undefined });
    this.restarts = 0;

    const last = batch.messages[batch.messages.length - 1];
    if (isHandlerOutcome(result) && result.deferred) {
      await payload.heartbeat();
      return;
    }
    if (last) {
      payload.resolveOffset(last.offset);
      // The committed offset is the next one to read.
      const commit = isHandlerOutcome(result)
        ? result.commitOffset
        : (BigInt(last.offset) + 1n).toString();
      if (commit !== null) {
        await payload.commitOffsetsIfNecessary({
          topics: [
            { topic: batch.topic, partitions: [{ partition: batch.partition, offset: commit }] },
          ],
        });
      }
    }
    await payload.heartbeat();
  }
}
