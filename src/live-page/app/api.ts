const KEY_ITEM = 'reddit-live.api-key';
const KEY_HEADER = 'x-api-key';

/** An API answer other than 2xx, with the server's own message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The API key, for this tab only: sessionStorage is per tab and gone when
 * it closes. It goes in a header, never in a URL, and is never logged.
 */
export class KeyStore {
  get(): string | null {
    try {
      return sessionStorage.getItem(KEY_ITEM);
    } catch {
      return null;
    }
  }

  set(key: string | null): void {
    try {
      if (key) sessionStorage.setItem(KEY_ITEM, key);
      else sessionStorage.removeItem(KEY_ITEM);
    } catch {
      // Storage disabled: the key lasts until the page reloads.
    }
    this.fallback = key;
  }

  private fallback: string | null = null;

  current(): string | null {
    return this.get() ?? this.fallback;
  }
}

export class Api {
  constructor(private readonly keys: KeyStore) {}

  headers(): Record<string, string> {
    const key = this.keys.current();
    return key ? { [KEY_HEADER]: key } : {};
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  send<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return this.request<T>(method, path, body);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.headers() };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'The server cannot be reached.');
    }
    const text = await response.text();
    if (!response.ok) throw new ApiError(response.status, messageOf(response.status, text));
    return (text ? JSON.parse(text) : null) as T;
  }
}

/** The server's message (a list of field errors for a 400), or the status. */
function messageOf(status: number, text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: string | string[] };
    const message = Array.isArray(parsed.message) ? parsed.message.join('; ') : parsed.message;
    if (message) return status === 401 ? `${message} (set the API key above)` : message;
  } catch {
    // Not JSON: fall through.
  }
  return `HTTP ${status}`;
}
