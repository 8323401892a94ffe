/** What a batch handler receives: one partition's messages, in offset order. */
export interface ConsumedMessage {
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly timestampMs: number;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ConsumedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly ConsumedMessage[];
}
