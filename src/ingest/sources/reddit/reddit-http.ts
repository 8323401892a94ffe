import { abortReason } from './timing';

export interface RedditHttpRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Covers connecting, the headers and the whole body. */
  readonly timeoutMs: number;
  /** The caller giving up (stream stopped): the adapter rethrows the signal's reason. */
  readonly signal?: AbortSignal;
}

export interface RedditHttpResponse {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * The one door to the network for the Reddit client. Redirects are returned,
 * never followed: Reddit answers unknown subreddits with a 302 to the search page.
 * Throws RedditTransportError for timeouts and connection failures, and the
 * signal's reason when the caller aborts; every HTTP status is a response.
 */
export abstract class RedditHttp {
  abstract request(request: RedditHttpRequest): Promise<RedditHttpResponse>;
}

/** A failure worth retrying: no usable answer now, likely one later. */
export class RedditTransientError extends Error {
  constructor(
    message: string,
    /** How long Reddit asked us to wait, when it said. */
    readonly retryAfterMs: number | null = null,
    /** The HTTP status, when there was a response. */
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** No HTTP response at all: a timeout or a refused, reset or dropped connection. */
export class RedditTransportError extends RedditTransientError {
  constructor(
    readonly kind: 'timeout' | 'connection',
    message: string,
  ) {
    super(message);
  }
}

function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${cause.message} (${code})` : cause.message;
  }
  return error.message;
}

/** RedditHttp over Node's global fetch. */
export class FetchRedditHttp extends RedditHttp {
  async request(request: RedditHttpRequest): Promise<RedditHttpResponse> {
    const timeout = AbortSignal.timeout(request.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal,
      });
      const body = await response.text();
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      return { status: response.status, headers, body };
    } catch (error) {
      if (request.signal?.aborted) throw abortReason(request.signal);
      if (timeout.aborted) {
        throw new RedditTransportError('timeout', `no response within ${request.timeoutMs} ms`);
      }
      throw new RedditTransportError('connection', `connection failed: ${describeCause(error)}`);
    }
  }
}
