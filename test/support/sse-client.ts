/** One Server-Sent Event as received. */
export interface ReceivedEvent {
  readonly event: string;
  readonly id: string | null;
  readonly data: unknown;
}

/**
 * A minimal Server-Sent Events client over fetch (Node 20 has no
 * EventSource): collects events until closed, sending Last-Event-ID when given.
 */
export class SseClient {
  readonly events: ReceivedEvent[] = [];
  status: number | null = null;
  private readonly abort = new AbortController();
  private readonly done: Promise<void>;

  constructor(url: string, lastEventId?: string) {
    this.done = this.read(url, lastEventId).catch((error: unknown) => {
      if (!this.abort.signal.aborted) throw error;
    });
  }

  /** The last id received (what a reconnect sends). */
  get lastId(): string | null {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const id = this.events[i]?.id;
      if (id) return id;
    }
    return null;
  }

  of(event: string): ReceivedEvent[] {
    return this.events.filter((e) => e.event === event);
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }

  private async read(url: string, lastEventId?: string): Promise<void> {
    const response = await fetch(url, {
      headers: lastEventId ? { 'Last-Event-ID': lastEventId } : {},
      signal: this.abort.signal,
    });
    this.status = response.status;
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of response.body) {
      buffered += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffered.indexOf('\n\n');
      while (end >= 0) {
        this.parse(buffered.slice(0, end));
        buffered = buffered.slice(end + 2);
        end = buffered.indexOf('\n\n');
      }
    }
  }

  private parse(block: string): void {
    let event = 'message';
    let id: string | null = null;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'id') id = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) return;
    this.events.push({ event, id, data: JSON.parse(data.join('\n')) as unknown });
  }
}
