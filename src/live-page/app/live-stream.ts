import { type SseEvent, SseParser } from './sse-parser';

export type LiveStatus = 'connecting' | 'live' | 'retrying';

export interface LiveStreamOptions {
  /** The endpoint, with its query. */
  readonly url: string;
  readonly headers: () => Record<string, string>;
  readonly onEvent: (event: SseEvent) => void;
  readonly onStatus: (status: LiveStatus, detail?: string) => void;
}

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 15_000;

/**
 * A server-sent event stream read with fetch, reconnecting for as long as
 * the page wants it: after a server restart it resumes from the last event
 * id (Last-Event-ID), on whichever server answers.
 */
export class LiveStream {
  private controller: AbortController | null = null;
  private lastEventId: string | null = null;
  private stopped = false;

  constructor(private readonly options: LiveStreamOptions) {}

  start(): void {
    this.stopped = false;
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
    this.controller = null;
  }

  private async run(): Promise<void> {
    let retryMs = FIRST_RETRY_MS;
    while (!this.stopped) {
      this.options.onStatus('connecting');
      const controller = new AbortController();
      this.controller = controller;
      let detail = 'the connection ended';
      try {
        const response = await fetch(this.options.url, {
          headers: {
            accept: 'text/event-stream',
            ...this.options.headers(),
            ...(this.lastEventId ? { 'last-event-id': this.lastEventId } : {}),
          },
          signal: controller.signal,
          cache: 'no-store',
        });
        if (!response.ok || !response.body) {
          detail = `HTTP ${response.status}`;
        } else {
          this.options.onStatus('live');
          retryMs = FIRST_RETRY_MS;
          await this.read(response.body);
        }
      } catch {
        detail = 'the server cannot be reached';
      }
      if (this.stopped) return;
      this.options.onStatus('retrying', detail);
      await new Promise((resolve) => setTimeout(resolve, retryMs));
      retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
    }
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      for (const event of parser.push(decoder.decode(value, { stream: true }))) {
        if (event.id !== null) this.lastEventId = event.id;
        this.options.onEvent(event);
      }
    }
  }
}
