import { type Message, Partitioners } from 'kafkajs';
import { SeededRandom } from '@app/ingest/domain/prng';
import { EVENT_SCHEMA_VERSION, type RedditEvent } from '@app/events/reddit-event';
import { SyntheticRedditGenerator } from '@app/ingest/sources/synthetic/synthetic-generator';

/**
 * A deterministic stream of event messages as a real source delivers them:
 * slightly out of order, with redeliveries, and with a few events so old that
 * the server must reject them as too late. Same options, same messages.
 */
export interface DisorderedInputOptions {
  readonly seed: number;
  /** Distinct on-time events. */
  readonly events: number;
  readonly subreddits: readonly string[];
  /** Event time of the first on-time event, Unix milliseconds. */
  readonly startTimeMs: number;
  /** Event time the on-time events cover. */
  readonly spanMs: number;
  /**
   * Bound on the disorder: no message arrives after a message whose event time
   * is more than this much later than its own. Keep it below the server's
   * out-of-orderness so that on-time events never look late.
   */
  readonly maxDisorderMs: number;
  /** Share of the on-time events that are delivered a second time. */
  readonly duplicateShare: number;
  /** A duplicate follows its original after this many messages (inclusive range). */
  readonly duplicateDelayMessages: readonly [min: number, max: number];
  /** Events with unique fullnames that are far behind the stream's event time. */
  readonly tooLateEvents: number;
  /** How far before the stream's start the too-late events happened. */
  readonly tooLateByMs: number;
  /** Where in the input the too-late events go, as fractions of its length. */
  readonly tooLatePlacement: readonly [from: number, to: number];
}

export const DEFAULT_DISORDERED_INPUT: Omit<DisorderedInputOptions, 'seed'> = {
  events: 4000,
  subreddits: ['AskReddit', 'worldnews', 'programming', 'science', 'gaming', 'aww'],
  startTimeMs: Date.UTC(2025, 2, 3, 12, 0, 0),
  spanMs: 12 * 60_000,
  maxDisorderMs: 5_000,
  duplicateShare: 0.05,
  duplicateDelayMessages: [10, 200],
  tooLateEvents: 8,
  tooLateByMs: 2 * 60 * 60_000,
  tooLatePlacement: [0.55, 0.95],
};

export type MessageRole = 'on-time' | 'duplicate' | 'too-late';

export interface InputMessage {
  /** The Kafka key, as the server's ingest sets it: the subreddit key. */
  readonly key: string;
  /** The exact JSON sent; a duplicate's value is byte-for-byte its original's. */
  readonly value: string;
  readonly event: RedditEvent;
  readonly role: MessageRole;
}

export interface DisorderedInput {
  readonly options: DisorderedInputOptions;
  /** Everything to produce, in this order. */
  readonly messages: readonly InputMessage[];
  /** The distinct on-time events, in event-time order. */
  readonly onTime: readonly RedditEvent[];
  /** The events the server must not apply (and must write to the late-events topic). */
  readonly tooLate: readonly RedditEvent[];
  readonly tooLateFullnames: ReadonlySet<string>;
  readonly duplicates: number;
}

/** Seed offset of the too-late generator: far enough that its ids never meet the main one's. */
const TOO_LATE_SEED_OFFSET = 500_000;

export function disorderedInput(
  overrides: Partial<DisorderedInputOptions> & Pick<DisorderedInputOptions, 'seed'>,
): DisorderedInput {
  const options: DisorderedInputOptions = { ...DEFAULT_DISORDERED_INPUT, ...overrides };
  checkOptions(options);
  const random = new SeededRandom(options.seed ^ 0x5eed);

  const onTime = new SyntheticRedditGenerator({
    seed: options.seed,
    subreddits: options.subreddits,
    kinds: ['submission', 'comment'],
    startTimeMs: options.startTimeMs,
    eventIntervalMs: options.spanMs / options.events,
    streamId: `disordered-${options.seed}`,
  })
    .take(options.events)
    .map(withIngestTime);

  const tooLate = new SyntheticRedditGenerator({
    seed: options.seed + TOO_LATE_SEED_OFFSET,
    subreddits: options.subreddits,
    kinds: ['submission', 'comment'],
    startTimeMs: options.startTimeMs - options.tooLateByMs,
    eventIntervalMs: 7_000,
    streamId: `disordered-${options.seed}-late`,
  })
    .take(options.tooLateEvents)
    .map(withIngestTime);

  const fullnames = new Set(onTime.map((e) => e.fullname));
  for (const event of tooLate) {
    if (fullnames.has(event.fullname)) {
      throw new Error(`too-late event ${event.fullname} collides with an on-time event`);
    }
    fullnames.add(event.fullname);
  }

  // Bounded disorder: deliver each event at its event time plus a random delay
  // of at most maxDisorderMs. An event can then only be overtaken by events at
  // most maxDisorderMs later than itself.
  const delivered = onTime
    .map((event, index) => ({
      event,
      index,
      deliveryMs: eventTimeMs(event) + random.next() * options.maxDisorderMs,
    }))
    .sort((a, b) => a.deliveryMs - b.deliveryMs || a.index - b.index);

  // Positions are fractional so that inserted messages sort between the originals.
  const placed: { position: number; message: InputMessage }[] = delivered.map((d, position) => ({
    position,
    message: message(d.event, 'on-time'),
  }));
  const originals = [...placed];
  let duplicates = 0;
  for (const original of originals) {
    if (!random.chance(options.duplicateShare)) continue;
    const [min, max] = options.duplicateDelayMessages;
    placed.push({
      position: original.position + random.int(min, max) + 0.5,
      message: original.message,
    });
    duplicates++;
  }

  const length = placed.length + tooLate.length;
  const [from, to] = options.tooLatePlacement;
  for (const event of tooLate) {
    const position = Math.floor(length * from) + random.next() * length * (to - from);
    placed.push({
      position: Math.min(position, length - 1) + 0.25,
      message: message(event, 'too-late'),
    });
  }

  placed.sort((a, b) => a.position - b.position);
  return {
    options,
    messages: markDuplicates(placed.map((p) => p.message)),
    onTime,
    tooLate,
    tooLateFullnames: new Set(tooLate.map((e) => e.fullname)),
    duplicates,
  };
}

/** Event time as the server reads it: createdUtc is whole seconds. */
export function eventTimeMs(event: Pick<RedditEvent, 'createdUtc'>): number {
  return event.createdUtc * 1000;
}

/**
 * The largest amount by which a message's event time is behind the highest
 * event time delivered before it: the disorder a watermark has to absorb.
 * Too-late events are left out, and so are duplicates unless asked for (they
 * are redeliveries, late on purpose).
 */
export function maxDisorderMs(
  messages: readonly InputMessage[],
  { includeDuplicates = false }: { includeDuplicates?: boolean } = {},
): number {
  let highest = Number.NEGATIVE_INFINITY;
  let worst = 0;
  for (const m of messages) {
    if (m.role === 'too-late' || (m.role === 'duplicate' && !includeDuplicates)) continue;
    const t = eventTimeMs(m.event);
    worst = Math.max(worst, highest - t);
    highest = Math.max(highest, t);
  }
  return worst;
}

/** The partition kafkajs's default (Java-compatible) partitioner picks for this key. */
export function partitionOf(key: string, partitions: number): number {
  const partitioner = Partitioners.DefaultPartitioner();
  return partitioner({
    topic: 'any',
    partitionMetadata: Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      replicas: [0],
      isr: [0],
      partitionErrorCode: 0,
      offlineReplicas: [],
    })),
    message: { key, value: null },
  });
}

/** The Kafka message, keyed and with the headers the server's ingest sends. */
export function toKafkaMessage(m: InputMessage): Message {
  return {
    key: m.key,
    value: m.value,
    headers: { 'schema-version': String(EVENT_SCHEMA_VERSION), kind: m.event.kind },
  };
}

/** The distinct events among these messages (first delivery of each fullname), too-late ones included. */
export function distinctEvents(messages: readonly InputMessage[]): RedditEvent[] {
  const seen = new Set<string>();
  const events: RedditEvent[] = [];
  for (const m of messages) {
    if (seen.has(m.event.fullname)) continue;
    seen.add(m.event.fullname);
    events.push(m.event);
  }
  return events;
}

function withIngestTime(item: Omit<RedditEvent, 'ingestedUtc'>): RedditEvent {
  // Deterministic, so that the same seed always gives byte-identical messages.
  return { ...item, ingestedUtc: item.createdUtc + 2 };
}

function message(event: RedditEvent, role: MessageRole): InputMessage {
  return { key: event.subreddit, value: JSON.stringify(event), event, role };
}

/** The second and later deliveries of a fullname are duplicates, wherever they ended up. */
function markDuplicates(messages: readonly InputMessage[]): InputMessage[] {
  const seen = new Set<string>();
  return messages.map((m) => {
    const repeat = seen.has(m.event.fullname);
    seen.add(m.event.fullname);
    return repeat ? { ...m, role: 'duplicate' } : m;
  });
}

function checkOptions(o: DisorderedInputOptions): void {
  const [from, to] = o.tooLatePlacement;
  const [min, max] = o.duplicateDelayMessages;
  const problems = [
    o.events > 0 ? null : 'events must be positive',
    o.subreddits.length > 0 ? null : 'at least one subreddit is required',
    o.spanMs > 0 ? null : 'spanMs must be positive',
    o.maxDisorderMs >= 0 ? null : 'maxDisorderMs must not be negative',
    o.duplicateShare >= 0 && o.duplicateShare <= 1 ? null : 'duplicateShare must be in [0, 1]',
    min >= 1 && max >= min ? null : 'duplicateDelayMessages must be 1 <= min <= max',
    // The first part of the input sets the watermark; a too-late event before
    // that could legitimately be applied.
    from >= 0.2 && to > from && to <= 1 ? null : 'tooLatePlacement must be 0.2 <= from < to <= 1',
    o.tooLateByMs > 0 ? null : 'tooLateByMs must be positive',
  ].filter((p): p is string => p !== null);
  if (problems.length > 0) throw new Error(`disorderedInput: ${problems.join('; ')}`);
}
