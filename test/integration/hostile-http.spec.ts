import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { dropNamespace } from '../support/cleanup';
import { TEST_API_KEY, TEST_DB_PASSWORD, testNamespace } from '../support/environment';
import { FakeReddit } from '../support/fake-reddit/fake-reddit';
import { TEST_SUBREDDIT } from '../support/fake-reddit/cassettes';
import { ServerProcess } from '../support/server-process';

jest.setTimeout(600_000);

/**
 * Hostile HTTP input against the real server process: thousands of requests
 * generated from its own OpenAPI document (every operation, with no key, a
 * wrong key and the right one; odd path and query values, unicode, huge
 * ranges; JSON of any shape, malformed and oversized bodies, wrong content
 * types, invalid UTF-8). No response may be a 5xx, the server must not
 * crash, a secured operation must never succeed without the key, no
 * response may carry a secret, and memory must come back to where it was.
 */

interface Operation {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly pathParams: readonly string[];
  readonly queryParams: readonly string[];
  readonly secured: boolean;
  readonly hasBody: boolean;
  /** Server-sent events: the status is checked and the stream dropped. */
  readonly streaming: boolean;
}

type OpenApi = {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { name: string; in: string }[];
        security?: unknown[];
        requestBody?: unknown;
        responses?: Record<string, { content?: Record<string, unknown> }>;
      }
    >
  >;
};

function operationsOf(document: OpenApi): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const upper = method.toUpperCase();
      if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(upper)) continue;
      const params = op.parameters ?? [];
      operations.push({
        method: upper as Operation['method'],
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
        secured: (op.security ?? []).length > 0,
        hasBody: op.requestBody !== undefined,
        streaming: Object.values(op.responses ?? {}).some(
          (r) => r.content?.['text/event-stream'] !== undefined,
        ),
      });
    }
  }
  return operations;
}

/** Strings a hostile client sends: unicode of every plane, control characters, traversal, huge numbers and dates. */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '..%2F..%2Fetc%2Fpasswd',
    '../../etc/passwd',
    '%00',
    '\u0000',
    '\uFEFF',
    '\uD800',
    '💥'.repeat(200),
    'a'.repeat(5000),
    '-1',
    '0',
    '1e309',
    '9007199254740993',
    'NaN',
    'null',
    '[]',
    '{}',
    '1970-01-01T00:00:00Z',
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '2026-13-45T99:99:99Z',
    '3650d',
    '100000000d',
    '1m,5m/1m',
    '*',
    'askreddit,',
    ',,,',
    '<script>alert(1)</script>',
    "' OR 1=1 --",
    '${jndi:ldap://x}',
  ),
  fc.integer().map(String),
  fc.double().map(String),
);

type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'text'; text: string; contentType: string }
  | { kind: 'bytes'; bytes: Buffer; contentType: string };

const bodies: fc.Arbitrary<Body> = fc.oneof(
  fc.constant<Body>({ kind: 'none' }),
  fc.jsonValue({ maxDepth: 4 }).map<Body>((value) => ({ kind: 'json', value })),
  fc
    .record({
      source: fc.constantFrom('synthetic', 'replay', 'reddit', 'nope', 1, null),
      id: fc.oneof(hostileText, fc.constant(undefined)),
      subreddits: fc.oneof(fc.array(hostileText, { maxLength: 5 }), hostileText),
      kinds: fc.oneof(fc.array(hostileText, { maxLength: 3 }), fc.constant(undefined)),
      eventsPerSecond: fc.oneof(fc.integer(), fc.double(), hostileText),
      text: fc.oneof(hostileText, fc.constant(undefined)),
      texts: fc.oneof(fc.array(hostileText, { maxLength: 5 }), fc.constant(undefined)),
    })
    .map<Body>((value) => ({ kind: 'json', value })),
  fc.constantFrom<Body>(
    { kind: 'text', text: '{"source": "synthetic",', contentType: 'application/json' },
    { kind: 'text', text: '{"a":'.repeat(5000), contentType: 'application/json' },
    { kind: 'text', text: 'source=synthetic', contentType: 'application/x-www-form-urlencoded' },
    { kind: 'text', text: '<xml/>', contentType: 'application/xml' },
    { kind: 'text', text: '{"text":"hi"}', contentType: 'text/plain' },
    {
      kind: 'text',
      text: JSON.stringify({ text: 'x'.repeat(2 * 1024 * 1024) }),
      contentType: 'application/json',
    },
    {
      kind: 'text',
      text: `[${'1,'.repeat(200_000)}1]`,
      contentType: 'application/json',
    },
    {
      kind: 'bytes',
      bytes: Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]),
      contentType: 'application/json',
    },
    {
      kind: 'bytes',
      bytes: Buffer.from('{"text":"caf\u00e9"}', 'latin1'),
      contentType: 'application/json; charset=utf-8',
    },
    { kind: 'text', text: '{"text":"hi"}', contentType: 'application/json; charset=utf-16' },
  ),
);

type KeyMode = 'none' | 'wrong' | 'right' | 'bearer' | 'query';

interface Sent {
  readonly op: Operation;
  readonly key: KeyMode;
  readonly status: number;
  readonly body: string;
  readonly headers: string;
  readonly wellFormed: boolean;
}

/**
 * Percent-encodes a path segment; a lone surrogate (which encodeURIComponent
 * refuses) goes out as the bytes a careless client would send for it, which
 * are not valid UTF-8: one more hostile input.
 */
function percentEncode(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    out +=
      char.length === 1 && code >= 0xd800 && code <= 0xdfff
        ? `%ED%${(0xa0 | ((code >> 6) & 0x1f)).toString(16).toUpperCase()}%${(0x80 | (code & 0x3f)).toString(16).toUpperCase()}`
        : encodeURIComponent(char);
  }
  return out;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

function rssMiB(pid: number | undefined): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
}

describe('hostile HTTP input, generated from the OpenAPI document, against the server process', () => {
  const redditSecret = `rsec-${randomBytes(12).toString('hex')}`;
  const redditPassword = `rpw-${randomBytes(12).toString('hex')}`;
  let fake: FakeReddit;
  let server: ServerProcess;
  let ns: ReturnType<typeof testNamespace>;
  let operations: Operation[] = [];
  const sent: Sent[] = [];

  beforeAll(async () => {
    fake = await FakeReddit.start({
      clientId: `fuzz-${randomBytes(4).toString('hex')}`,
      clientSecret: redditSecret,
      username: 'fuzz_bot',
      password: redditPassword,
      subreddits: { [TEST_SUBREDDIT]: 'public' },
    });
    ns = testNamespace({
      REDDIT_CLIENT_ID: fake.clientId,
      REDDIT_CLIENT_SECRET: redditSecret,
      REDDIT_USERNAME: 'fuzz_bot',
      REDDIT_PASSWORD: redditPassword,
      REDDIT_USER_AGENT: 'nodejs:reddit-live-analytics-fuzz:0.1.0 (by /u/fuzz_bot)',
      REDDIT_AUTH_BASE_URL: fake.authBaseUrl,
      REDDIT_API_BASE_URL: fake.apiBaseUrl,
      REDDIT_REQUEST_TIMEOUT_MS: '2000',
      // Everything the server would ever say, so the secrets scan sees it all.
      LOG_LEVEL: 'verbose',
    });
    server = new ServerProcess(ns.env, { name: 'fuzzed' });
    await server.start();
    const doc = await server.get('/docs/json');
    expect(doc.status).toBe(200);
    operations = operationsOf(JSON.parse(doc.body) as OpenApi);
  });

  afterAll(async () => {
    await server?.dispose();
    await fake?.close();
    if (ns) await dropNamespace(ns.config);
  });

  async function send(
    op: Operation,
    key: KeyMode,
    pathValues: readonly string[],
    query: readonly (readonly [string, string])[],
    body: Body,
  ): Promise<Sent> {
    let path = op.path;
    op.pathParams.forEach((name, i) => {
      path = path.replace(`{${name}}`, () => percentEncode(pathValues[i] ?? 'x'));
    });
    const params = new URLSearchParams();
    for (const [k, v] of query) params.append(k, v);
    if (key === 'query') params.set('apiKey', TEST_API_KEY);
    const qs = params.toString();
    const headers: Record<string, string> = {};
    if (key === 'right') headers['x-api-key'] = TEST_API_KEY;
    if (key === 'wrong') headers['x-api-key'] = `${TEST_API_KEY.slice(0, -1)}x`;
    if (key === 'bearer') headers.authorization = `Bearer ${TEST_API_KEY}`;
    let payload: string | Buffer | undefined;
    // An empty path parameter names another path, which no route serves (404);
    // one that is not valid UTF-8 cannot be decoded before routing (400).
    let wellFormed = op.pathParams.every((_, i) => {
      const value = pathValues[i] ?? 'x';
      return value !== '' && !LONE_SURROGATE.test(value);
    });
    if (op.method !== 'GET' && body.kind !== 'none') {
      if (body.kind === 'json') {
        payload = JSON.stringify(body.value);
        headers['content-type'] = 'application/json';
        // The JSON parser runs before the key check and takes only objects and
        // arrays: a bare string or number is refused as a bad body (400) first.
        wellFormed &&= typeof body.value === 'object' && body.value !== null;
      } else {
        payload = body.kind === 'text' ? body.text : body.bytes;
        headers['content-type'] = body.contentType;
        wellFormed = false;
      }
      if (Buffer.byteLength(payload) > 256 * 1024) wellFormed = false;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 15_000);
    try {
      const response = await fetch(`${server.baseUrl}${path}${qs ? `?${qs}` : ''}`, {
        method: op.method,
        headers,
        ...(payload !== undefined ? { body: payload } : {}),
        signal: controller.signal,
      });
      let text = '';
      if (response.headers.get('content-type')?.includes('text/event-stream')) {
        // A live feed answers and keeps the stream open: read its first bytes, then hang up.
        const reader = response.body?.getReader();
        const first = await Promise.race([reader?.read(), sleep(300).then(() => undefined)]);
        text = first?.value ? Buffer.from(first.value).toString('utf8') : '';
        controller.abort();
      } else {
        text = await response.text();
      }
      return {
        op,
        key,
        status: response.status,
        body: text,
        headers: [...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n'),
        wellFormed,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  it('covers every operation of the document', () => {
    const names = operations.map((o) => `${o.method} ${o.path}`);
    for (const expected of [
      'POST /api/streams',
      'GET /api/streams',
      'GET /api/streams/{id}',
      'POST /api/streams/{id}/pause',
      'POST /api/streams/{id}/resume',
      'DELETE /api/streams/{id}',
      'GET /api/subreddits/{name}/windows',
      'GET /api/subreddits/{name}/posts',
      'GET /api/subreddits/{name}/trends',
      'GET /api/trends',
      'GET /api/live/windows',
      'GET /api/live/trends',
      'POST /api/nlp/analyze',
      'GET /api/settings',
      'GET /health',
      'GET /metrics',
    ]) {
      expect(names).toContain(expected);
    }
  });

  it('answers thousands of hostile requests without a 5xx, a crash, a keyless write or a leaked secret', async () => {
    // Baseline after a warm-up, so lazily loaded code and caches are in it.
    for (const op of operations) await send(op, 'right', ['askreddit'], [], { kind: 'none' });
    await sleep(2_000);
    const rssBefore = rssMiB(server.pid);

    const request = fc.record({
      op: fc.constantFrom(...operations),
      key: fc.constantFrom<KeyMode>('none', 'wrong', 'right', 'bearer', 'query'),
      pathValues: fc.array(hostileText, { minLength: 2, maxLength: 2 }),
      query: fc.array(
        fc.tuple(
          fc.oneof(
            fc.constantFrom(
              'from',
              'to',
              'until',
              'window',
              'limit',
              'kind',
              'scope',
              'subreddits',
              'lastEventId',
              'spec',
            ),
            hostileText,
          ),
          hostileText,
        ),
        { maxLength: 4 },
      ),
      body: bodies,
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ op, key, pathValues, query, body }) => {
        // The query string can name the operation's own parameters too.
        const named = query.map(([name, value], i) => [op.queryParams[i] ?? name, value] as const);
        const result = await send(op, key, pathValues, named, body);
        sent.push(result);
        expect(result.status).toBeLessThan(500);
        const keyed = key === 'right' || key === 'bearer' || key === 'query';
        if (op.secured && !keyed) {
          expect(result.status).not.toBeLessThan(300);
          if (result.wellFormed) expect(result.status).toBe(401);
        }
      }),
      { numRuns: 3000, seed: 20261203, endOnFailure: true },
    );
    expect(server.running).toBe(true);
    expect(sent.length).toBeGreaterThanOrEqual(3000);
    const statuses = new Map<number, number>();
    for (const s of sent) statuses.set(s.status, (statuses.get(s.status) ?? 0) + 1);
    // Mostly refusals, some successes: the generator reaches past validation too.
    console.log(
      `hostile HTTP: ${sent.length} requests over ${operations.length} operations; statuses ` +
        [...statuses]
          .sort(([a], [b]) => a - b)
          .map(([status, n]) => `${status}: ${n}`)
          .join(', '),
    );
    expect(statuses.get(401) ?? 0).toBeGreaterThan(100);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(100);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(100);

    // Streams the fuzzer managed to start are stopped, so memory is measured without them.
    const listed = await fetch(`${server.baseUrl}/api/streams`);
    const streams = (await listed.json()) as { id: string }[];
    for (const stream of streams) {
      await fetch(`${server.baseUrl}/api/streams/${encodeURIComponent(stream.id)}`, {
        method: 'DELETE',
        headers: { 'x-api-key': TEST_API_KEY },
      });
    }
    // Memory back to the baseline once the load is over (RSS: no GC can be forced from outside).
    let rssAfter = rssMiB(server.pid);
    for (let i = 0; i < 30 && rssAfter > rssBefore + 64; i++) {
      await sleep(1_000);
      rssAfter = rssMiB(server.pid);
    }
    console.log(
      `hostile HTTP: server RSS ${rssBefore.toFixed(0)} MiB before, ${rssAfter.toFixed(0)} MiB after`,
    );
    expect({ rssBefore, rssAfter, backToBaseline: rssAfter - rssBefore < 64 }).toMatchObject({
      backToBaseline: true,
    });

    expect(sent.filter((s) => /^x-powered-by:/im.test(s.headers))).toHaveLength(0);
    // No response, header or log line carries a secret.
    const secrets = { TEST_API_KEY, TEST_DB_PASSWORD, redditSecret, redditPassword };
    const responses = sent.map((s) => `${s.headers}\n${s.body}`).join('\n');
    // The last 256 KiB of output; scripts/test.sh scans every server's whole output as well.
    const logs = server.logs(Number.MAX_SAFE_INTEGER);
    for (const [name, secret] of Object.entries(secrets)) {
      const forms = [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')];
      expect({ name, inResponses: forms.some((f) => responses.includes(f)) }).toEqual({
        name,
        inResponses: false,
      });
      expect({ name, inLogs: forms.some((f) => logs.includes(f)) }).toEqual({
        name,
        inLogs: false,
      });
    }
  });
});
