import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import {
  CASSETTES,
  type RecordedChild,
  type RecordedResponse,
  childrenOf,
  loadCassette,
  recordedTokenGrant,
} from './cassettes';

/**
 * A local stand-in for Reddit: two loopback HTTP servers, one for the token
 * endpoint (www.reddit.com) and one for the OAuth API (oauth.reddit.com).
 *
 * It replays the recorded cassettes: the token grant, listings and the
 * quarantine 403. It enforces its own rate limit and advertises it in
 * Reddit's headers. Every request is recorded. Faults can be injected by
 * request number or by path.
 */

/** How a subreddit answers /about (and its listings, when it cannot be read). */
export type SubredditFixture =
  | 'public'
  | 'restricted'
  /** 200, but "quarantine": true (an account that opted in). */
  | 'quarantine-opted-in'
  /** 403 with "reason": "quarantined", as Reddit answers /about. */
  | 'quarantined'
  /** The 403 recorded in TestSubredditQuarantine.test_opt_out.json, verbatim. */
  | 'quarantined-recorded'
  | 'private'
  | 'gold_only'
  /** 404 with "reason": "banned". */
  | 'banned'
  /** 404 {"message": "Not Found", "error": 404}. */
  | 'missing';

export type Fault =
  /** Answer with this status; for 429, advertise `resetSeconds` in x-ratelimit-reset. */
  | { readonly type: 'status'; readonly status: number; readonly resetSeconds?: number }
  /** Hold the response this long before answering normally. */
  | { readonly type: 'delay'; readonly ms: number }
  /** Destroy the connection without answering. */
  | { readonly type: 'drop' };

export interface FakeRedditOptions {
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** When set, the password grant must match them. */
  readonly username?: string;
  readonly password?: string;
  /** Requests per fixed window, counted for the whole client. Default 10 per 2 s. */
  readonly rateLimit?: { readonly limit: number; readonly windowMs: number };
  /** Default: what the recorded grant says. */
  readonly tokenExpiresInSeconds?: number;
  readonly subreddits?: Readonly<Record<string, SubredditFixture>>;
  /** Unregistered subreddits: Reddit's 302 to the search page (default) or a plain 404. */
  readonly unknownSubreddit?: 'redirect' | 'not-found';
}

export interface RecordedRequest {
  readonly server: 'auth' | 'api';
  /** 1-based, per server. */
  readonly number: number;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly atMs: number;
  status: number | 'dropped' | null;
}

interface ListingState {
  script: string[];
  served: number;
  /** Everything the listing holds, newest first. */
  live: RecordedChild[];
}

interface PendingFault {
  readonly fault: Fault;
  readonly server: 'auth' | 'api';
  readonly matches: (request: RecordedRequest) => boolean;
  remaining: number;
}

interface IssuedToken {
  readonly issuedAtMs: number;
  readonly expiresAtMs: number;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body: string;
  /** Called once the response reached the client (not when it gave up first). */
  onDelivered?: () => void;
}

const JSON_TYPE = 'application/json; charset=UTF-8';
const LISTING_PATH = /^\/r\/([^/]+)\/(new|comments|about)(?:\/|\.json)?$/;

function listingKey(subreddits: string, listing: string): string {
  return `/r/${subreddits.toLowerCase()}/${listing}`;
}

/** "/r/testsub/comments/" or "/r/TestSub/comments.json" -> "/r/testsub/comments". */
export function normaliseListingPath(path: string): string {
  const match = LISTING_PATH.exec(path);
  if (!match?.[1] || !match[2]) throw new Error(`not a listing path: ${path}`);
  return listingKey(match[1], match[2]);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    });
  });
}

export class FakeReddit {
  readonly requests: RecordedRequest[] = [];
  readonly clientId: string;
  readonly clientSecret: string;
  private readonly options: FakeRedditOptions;
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly subreddits = new Map<string, SubredditFixture>();
  private readonly listings = new Map<string, ListingState>();
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly faults: PendingFault[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private tokensInvalidBeforeMs = 0;
  private windowStartMs = 0;
  private windowUsed = 0;
  private exceeded = 0;
  private counters = { auth: 0, api: 0 };
  private authServer: Server | null = null;
  private apiServer: Server | null = null;
  authBaseUrl = '';
  apiBaseUrl = '';

  private constructor(options: FakeRedditOptions) {
    this.options = options;
    this.clientId = options.clientId ?? 'fake-client-id';
    // scripts/test.sh sets one for the run, which the secrets scan looks for in the logs.
    this.clientSecret =
      options.clientSecret ?? process.env.TEST_REDDIT_SECRET ?? 'fake-client-secret';
    this.limit = options.rateLimit?.limit ?? 10;
    this.windowMs = options.rateLimit?.windowMs ?? 2000;
    const fixtures: Readonly<Record<string, SubredditFixture>> = options.subreddits ?? {
      testsub: 'public',
    };
    for (const [name, fixture] of Object.entries(fixtures)) {
      this.subreddits.set(name.toLowerCase(), fixture);
    }
  }

  static async start(options: FakeRedditOptions = {}): Promise<FakeReddit> {
    const fake = new FakeReddit(options);
    fake.authServer = createServer((req, res) => void fake.handle('auth', req, res));
    fake.apiServer = createServer((req, res) => void fake.handle('api', req, res));
    fake.authBaseUrl = await listen(fake.authServer);
    fake.apiBaseUrl = await listen(fake.apiServer);
    return fake;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(
      [this.authServer, this.apiServer].map(
        (server) =>
          new Promise<void>((resolve) => {
            if (!server) return resolve();
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
  }

  // ---- what tests inspect -------------------------------------------------

  /** How many API requests arrived after the advertised budget was used up. */
  get budgetExceeded(): number {
    return this.exceeded;
  }

  get tokensIssued(): number {
    return this.tokens.size;
  }

  get rateLimit(): { readonly limit: number; readonly windowMs: number } {
    return { limit: this.limit, windowMs: this.windowMs };
  }

  apiRequests(pathPrefix = ''): RecordedRequest[] {
    return this.requests.filter((r) => r.server === 'api' && r.path.startsWith(pathPrefix));
  }

  tokenRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.server === 'auth');
  }

  // ---- what tests set up --------------------------------------------------

  setSubreddit(name: string, fixture: SubredditFixture): void {
    this.subreddits.set(name.toLowerCase(), fixture);
  }

  /**
   * Replays recorded Listing bodies, one per request to `path` in order, whatever
   * the query. Afterwards the listing is "live": all their items, newest first,
   * with `before`, `after` and `limit` honoured as Reddit does. A `before` that
   * names an item the listing no longer holds gets an empty page.
   */
  scriptListing(path: string, bodies: readonly string[]): void {
    const pages = bodies.map(childrenOf);
    const live: RecordedChild[] = [];
    const seen = new Set<string>();
    for (const page of [...pages].reverse()) {
      for (const child of page) {
        if (!seen.has(child.data.name)) {
          seen.add(child.data.name);
          live.push(child);
        }
      }
    }
    this.listings.set(normaliseListingPath(path), { script: [...bodies], served: 0, live });
  }

  /** New items appear at the top of a live listing (`children` newest first). */
  publish(path: string, children: readonly RecordedChild[]): void {
    const state = this.listingState(normaliseListingPath(path));
    state.live = [...children, ...state.live];
  }

  /** The item disappears (deleted or removed): `before` it now yields empty pages. */
  remove(path: string, fullname: string): void {
    const state = this.listingState(normaliseListingPath(path));
    state.live = state.live.filter((child) => child.data.name !== fullname);
  }

  /** The `n`-th request (1-based) to `server` gets `fault`. */
  failRequest(n: number, fault: Fault, server: 'auth' | 'api' = 'api'): void {
    this.faults.push({ fault, server, matches: (r) => r.number === n, remaining: 1 });
  }

  /** The next `count` requests to `server` whose path starts with `path` get `fault`. */
  failNext(
    fault: Fault,
    {
      path = '',
      count = 1,
      server = 'api',
    }: { path?: string; count?: number; server?: 'auth' | 'api' } = {},
  ): void {
    this.faults.push({ fault, server, matches: (r) => r.path.startsWith(path), remaining: count });
  }

  /** Tokens issued before `ms` now get 401, as an expired token does. */
  expireTokensIssuedBefore(ms: number = Date.now()): void {
    this.tokensInvalidBeforeMs = ms;
  }

  // ---- serving ------------------------------------------------------------

  private listingState(key: string): ListingState {
    let state = this.listings.get(key);
    if (!state) {
      state = { script: [], served: 0, live: [] };
      this.listings.set(key, state);
    }
    return state;
  }

  private async handle(
    server: 'auth' | 'api',
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.reddit');
    const request: RecordedRequest = {
      server,
      number: ++this.counters[server],
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: headersOf(req),
      body: await readBody(req),
      atMs: Date.now(),
      status: null,
    };
    this.requests.push(request);

    if (server === 'api') {
      const overBudget = this.count(request.atMs);
      if (overBudget) {
        this.exceeded++;
        return this.send(res, request, {
          status: 429,
          headers: this.rateLimitHeaders(request.atMs),
          body: JSON.stringify({ message: 'Too Many Requests', error: 429 }),
        });
      }
    }

    const fault = this.takeFault(request);
    if (fault?.type === 'drop') {
      request.status = 'dropped';
      req.socket.destroy();
      return;
    }
    if (fault?.type === 'status') {
      const headers = server === 'api' ? this.rateLimitHeaders(request.atMs) : {};
      if (fault.status === 429) {
        headers['x-ratelimit-remaining'] = '0.0';
        headers['x-ratelimit-reset'] = String(fault.resetSeconds ?? 60);
      }
      return this.send(res, request, {
        status: fault.status,
        headers,
        body: JSON.stringify({ message: `fault ${fault.status}`, error: fault.status }),
      });
    }

    const reply = server === 'auth' ? this.tokenGrant(request) : this.api(request);
    if (server === 'api')
      reply.headers = { ...this.rateLimitHeaders(request.atMs), ...reply.headers };
    if (fault?.type === 'delay') {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.send(res, request, reply);
      }, fault.ms);
      this.timers.add(timer);
      return;
    }
    this.send(res, request, reply);
  }

  private send(res: ServerResponse, request: RecordedRequest, reply: Reply): void {
    request.status = reply.status;
    if (res.destroyed) return;
    res.writeHead(reply.status, { 'content-type': JSON_TYPE, ...reply.headers });
    res.end(reply.body, () => {
      if (!res.destroyed) reply.onDelivered?.();
    });
  }

  private takeFault(request: RecordedRequest): Fault | null {
    const index = this.faults.findIndex(
      (f) => f.server === request.server && f.remaining > 0 && f.matches(request),
    );
    const pending = index >= 0 ? this.faults[index] : undefined;
    if (!pending) return null;
    pending.remaining--;
    if (pending.remaining <= 0) this.faults.splice(index, 1);
    return pending.fault;
  }

  /** Counts a request in the current window; true when it is over the limit. */
  private count(now: number): boolean {
    if (now >= this.windowStartMs + this.windowMs) {
      this.windowStartMs = now;
      this.windowUsed = 0;
    }
    this.windowUsed++;
    return this.windowUsed > this.limit;
  }

  private rateLimitHeaders(now: number): Record<string, string> {
    const remaining = Math.max(0, this.limit - this.windowUsed);
    const resetSeconds = Math.max(0, Math.ceil((this.windowStartMs + this.windowMs - now) / 1000));
    return {
      'x-ratelimit-used': String(this.windowUsed),
      'x-ratelimit-remaining': remaining.toFixed(1),
      'x-ratelimit-reset': String(resetSeconds),
    };
  }

  private tokenGrant(request: RecordedRequest): Reply {
    const unauthorized: Reply = {
      status: 401,
      body: JSON.stringify({ message: 'Unauthorized', error: 401 }),
    };
    if (request.method !== 'POST' || request.path !== '/api/v1/access_token') {
      return { status: 404, body: JSON.stringify({ message: 'Not Found', error: 404 }) };
    }
    const auth = request.headers.authorization ?? '';
    const expected = Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64');
    if (auth !== `Basic ${expected}`) return unauthorized;
    const form = new URLSearchParams(request.body);
    const grant = form.get('grant_type');
    if (grant === 'password') {
      const { username, password } = this.options;
      if (
        (username !== undefined && form.get('username') !== username) ||
        (password !== undefined && form.get('password') !== password)
      ) {
        return { status: 200, body: JSON.stringify({ error: 'invalid_grant' }) };
      }
    } else if (grant !== 'client_credentials') {
      return { status: 400, body: JSON.stringify({ error: 'unsupported_grant_type' }) };
    }
    const recorded = recordedTokenGrant(CASSETTES.streamCommentsContinueAfterId);
    const body = JSON.parse(recorded.body) as { access_token: string; expires_in: number };
    const token = `fake-${this.tokens.size + 1}-${randomBytes(6).toString('hex')}`;
    body.access_token = token;
    if (this.options.tokenExpiresInSeconds !== undefined) {
      body.expires_in = this.options.tokenExpiresInSeconds;
    }
    this.tokens.set(token, {
      issuedAtMs: request.atMs,
      expiresAtMs: request.atMs + body.expires_in * 1000,
    });
    return { status: recorded.status, body: JSON.stringify(body) };
  }

  private api(request: RecordedRequest): Reply {
    const auth = /^bearer (.+)$/i.exec(request.headers.authorization ?? '');
    const issued = auth?.[1] !== undefined ? this.tokens.get(auth[1]) : undefined;
    if (
      !issued ||
      issued.issuedAtMs < this.tokensInvalidBeforeMs ||
      request.atMs >= issued.expiresAtMs
    ) {
      return {
        status: 401,
        headers: { 'www-authenticate': 'Bearer realm="reddit", error="invalid_token"' },
        body: JSON.stringify({ message: 'Unauthorized', error: 401 }),
      };
    }
    const match = LISTING_PATH.exec(request.path);
    if (request.method !== 'GET' || !match?.[1] || !match[2]) {
      return { status: 404, body: JSON.stringify({ message: 'Not Found', error: 404 }) };
    }
    const names = match[1].toLowerCase().split('+');
    const what = match[2];
    for (const name of names) {
      const refusal = this.refusal(name);
      if (refusal) return refusal;
    }
    if (what === 'about') return this.about(match[1]);
    return this.listing(listingKey(match[1], what), request.query);
  }

  /** Why `name` cannot be read, as Reddit says it; null when it can. */
  private refusal(name: string): Reply | null {
    const fixture = this.subreddits.get(name);
    const forbidden = (extra: Record<string, unknown>): Reply => ({
      status: 403,
      body: JSON.stringify({ ...extra, message: 'Forbidden', error: 403 }),
    });
    switch (fixture) {
      case undefined:
        if (this.options.unknownSubreddit === 'not-found') {
          return { status: 404, body: JSON.stringify({ message: 'Not Found', error: 404 }) };
        }
        return {
          status: 302,
          headers: {
            location: `${this.apiBaseUrl}/subreddits/search.json?q=${encodeURIComponent(name)}`,
          },
          body: '{}',
        };
      case 'public':
      case 'restricted':
      case 'quarantine-opted-in':
        return null;
      case 'quarantined':
        return forbidden({
          reason: 'quarantined',
          quarantine_message: 'This community is quarantined.',
          quarantine_message_html: '<p>This community is quarantined.</p>',
        });
      case 'quarantined-recorded': {
        const recorded = this.recordedQuarantine();
        return { status: recorded.status, body: recorded.body };
      }
      case 'private':
        return forbidden({ reason: 'private' });
      case 'gold_only':
        return forbidden({ reason: 'gold_only' });
      case 'banned':
        return {
          status: 404,
          body: JSON.stringify({ reason: 'banned', message: 'Not Found', error: 404 }),
        };
      case 'missing':
        return { status: 404, body: JSON.stringify({ message: 'Not Found', error: 404 }) };
    }
  }

  private recordedQuarantine(): RecordedResponse {
    const recorded = loadCassette(CASSETTES.quarantineOptOut).find(
      (i) => i.method === 'GET' && i.response.status === 403,
    );
    if (!recorded) throw new Error('the quarantine cassette has no 403');
    return recorded.response;
  }

  /** A t5 as Reddit returns it (no cassette records one): the fields that matter, realistic values. */
  private about(spelling: string): Reply {
    const name = spelling.toLowerCase();
    const fixture = this.subreddits.get(name);
    const id = Buffer.from(name).toString('hex').slice(0, 6);
    return {
      status: 200,
      body: JSON.stringify({
        kind: 't5',
        data: {
          display_name: name,
          display_name_prefixed: `r/${name}`,
          name: `t5_${id}`,
          id,
          title: `r/${name}`,
          public_description: 'A subreddit served by the fake Reddit.',
          subreddit_type: fixture === 'restricted' ? 'restricted' : 'public',
          quarantine: fixture === 'quarantine-opted-in',
          over18: false,
          subscribers: 1234,
          created_utc: 1_200_000_000.0,
          url: `/r/${name}/`,
          lang: 'en',
          user_is_banned: false,
        },
      }),
    };
  }

  private listing(key: string, query: Readonly<Record<string, string>>): Reply {
    const state = this.listingState(key);
    const scripted = state.script[state.served];
    if (scripted !== undefined) {
      // A page the client never received (it timed out) is served again, as Reddit would.
      const step = state.served;
      return {
        status: 200,
        body: scripted,
        onDelivered: () => {
          if (state.served === step) state.served++;
        },
      };
    }
    const limit = Math.min(100, Math.max(1, Number(query.limit ?? 25) || 25));
    let page: RecordedChild[];
    if (query.before !== undefined) {
      const index = state.live.findIndex((child) => child.data.name === query.before);
      page = index < 0 ? [] : state.live.slice(Math.max(0, index - limit), index);
    } else if (query.after !== undefined) {
      const index = state.live.findIndex((child) => child.data.name === query.after);
      page = index < 0 ? [] : state.live.slice(index + 1, index + 1 + limit);
    } else {
      page = state.live.slice(0, limit);
    }
    return {
      status: 200,
      body: JSON.stringify({
        kind: 'Listing',
        data: {
          after: page.length === limit ? (page[page.length - 1]?.data.name ?? null) : null,
          dist: page.length,
          modhash: null,
          geo_filter: '',
          children: page,
          before: null,
        },
      }),
    };
  }
}
