import { type IncomingMessage, type ServerResponse } from 'node:http';

const HEARTBEAT_MS = 15_000;
/** A client this far behind is cut off; it reconnects with its Last-Event-ID and catches up. */
const MAX_UNSENT_BYTES = 1024 * 1024;
/** How long a browser waits before reconnecting. */
const RETRY_MS = 2_000;

/** One Server-Sent Events response: named events with ids, comments as heartbeats. */
export class EventStream {
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;
  private readonly onClose: (() => void)[] = [];

  constructor(
    request: IncomingMessage,
    private readonly response: ServerResponse,
  ) {
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // Proxies (nginx) must pass events on as they come.
      'X-Accel-Buffering': 'no',
    });
    response.write(`retry: ${RETRY_MS}\n\n`);
    this.heartbeat = setInterval(() => this.write(': keep-alive\n\n'), HEARTBEAT_MS);
    this.heartbeat.unref();
    request.on('close', () => this.close());
  }

  /** Registers what to do when the client goes away (or is cut off). */
  closed$(handler: () => void): void {
    if (this.closed) handler();
    else this.onClose.push(handler);
  }

  send(event: string, data: unknown, id?: string): void {
    const lines = [`event: ${event}`];
    if (id !== undefined) lines.push(`id: ${id}`);
    lines.push(`data: ${JSON.stringify(data)}`);
    this.write(`${lines.join('\n')}\n\n`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.response.end();
    for (const handler of this.onClose.splice(0)) handler();
  }

  private write(text: string): void {
    if (this.closed) return;
    this.response.write(text);
    if (this.response.writableLength > MAX_UNSENT_BYTES) this.close();
  }
}
