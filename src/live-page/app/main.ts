import { Api, ApiError, KeyStore } from './api';
import { ActivityChart, SentimentChart } from './charts';
import { LiveStream, type LiveStatus } from './live-stream';
import { renderPosts, renderStreams, renderTop, renderTrends, type StreamAction } from './panels';
import { WindowSeries } from './series';
import {
  type PageSettings,
  type PostRow,
  type StreamRow,
  type TrendRow,
  type WindowRow,
} from './types';

const HISTORY_MS = 60 * 60_000;
const STREAMS_EVERY_MS = 5_000;
const POSTS_EVERY_MS = 10_000;
const TRENDS_SHOWN = 15;
const MAX_SUBREDDITS = 20;

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from the page`);
  return found as T;
};

const keys = new KeyStore();
const api = new Api(keys);
const series = new WindowSeries(HISTORY_MS);
let trends: TrendRow[] = [];
let subreddits: string[] = [];
let windowSpec = '';
let streams: StreamRow[] = [];
let windowsLive: LiveStream | null = null;
let trendsLive: LiveStream | null = null;
let drawPending = false;
const status = { windows: 'connecting' as LiveStatus, trends: 'connecting' as LiveStatus };

const activity = new ActivityChart($('activity-chart'), $('activity-summary'));
const sentiment = new SentimentChart($('sentiment-chart'), $('sentiment-summary'));

/** Errors the page shows; each keyed so a success clears its own. */
const errors = new Map<string, string>();
function report(source: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  errors.set(source, `${source}: ${message}`);
  showErrors();
}
function clearError(source: string): void {
  if (errors.delete(source)) showErrors();
}
function showErrors(): void {
  const box = $('errors');
  box.replaceChildren(
    ...[...errors.values()].map((message) => {
      const p = document.createElement('p');
      p.textContent = message;
      return p;
    }),
  );
  box.hidden = errors.size === 0;
}

function normalise(list: string): string[] {
  const seen = new Set<string>();
  for (const part of list.split(/[\s,]+/)) {
    const name = part.replace(/^\/?r\//i, '').trim();
    if (name) seen.add(name);
  }
  return [...seen].slice(0, MAX_SUBREDDITS);
}

/** Redraws at most once a frame, however many updates arrive. */
function draw(): void {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    series.prune(Date.now());
    const points = series.points();
    activity.update(points);
    sentiment.update(points);
    const top = series.latestTop(10);
    const when =
      top.startMs === null ? '' : ` (window from ${new Date(top.startMs).toLocaleTimeString()})`;
    $('top-when').textContent = when;
    renderTop($('top-keywords'), top.keywords, 'No keywords yet.');
    renderTop($('top-mentions'), top.mentions, 'No mentions yet.');
    renderTrends($('trends'), rankedTrends());
  });
}

/** The latest finding per term, strongest first, of the chosen subreddits and of all. */
function rankedTrends(): TrendRow[] {
  const chosen = new Set(subreddits.map((s) => s.toLowerCase()));
  const latest = new Map<string, TrendRow>();
  for (const t of trends) {
    if (t.lane !== 'live' || (t.scope !== '*' && !chosen.has(t.scope))) continue;
    const key = `${t.scope}|${t.kind}|${t.term}`;
    const held = latest.get(key);
    if (!held || held.minute < t.minute) latest.set(key, t);
  }
  const cutoff = Date.now() - HISTORY_MS;
  return [...latest.values()]
    .filter((t) => Date.parse(t.minute) >= cutoff)
    .sort((a, b) => Math.abs(b.peakScore ?? b.score) - Math.abs(a.peakScore ?? a.score))
    .slice(0, TRENDS_SHOWN);
}

function showConnection(): void {
  const states = [status.windows, status.trends];
  const text = states.every((s) => s === 'live')
    ? 'Live: updates arrive as each window is written.'
    : states.some((s) => s === 'retrying')
      ? 'Reconnecting to the server… (updates resume where they stopped)'
      : 'Connecting…';
  const node = $('connection');
  node.textContent = text;
  node.dataset.state = states.every((s) => s === 'live') ? 'live' : 'waiting';
}

function follow(): void {
  windowsLive?.stop();
  trendsLive?.stop();
  if (subreddits.length === 0) return;
  const query = new URLSearchParams({ subreddits: subreddits.join(','), window: windowSpec });
  windowsLive = new LiveStream({
    url: `/api/live/windows?${query.toString()}`,
    headers: () => api.headers(),
    onEvent: (event) => {
      if (event.event === 'window') {
        if (series.add(JSON.parse(event.data) as WindowRow)) draw();
      } else if (event.event === 'gap') void loadHistory();
    },
    onStatus: (s, detail) => {
      status.windows = s;
      showConnection();
      if (s === 'retrying') report('Live windows', new Error(`reconnecting (${detail ?? ''})`));
      if (s === 'live') clearError('Live windows');
    },
  });
  trendsLive = new LiveStream({
    url: '/api/live/trends',
    headers: () => api.headers(),
    onEvent: (event) => {
      if (event.event !== 'trend') return;
      trends.push(JSON.parse(event.data) as TrendRow);
      if (trends.length > 2_000) trends = trends.slice(-1_000);
      draw();
    },
    onStatus: (s) => {
      status.trends = s;
      showConnection();
    },
  });
  windowsLive.start();
  trendsLive.start();
}

/** The last hour of windows, rising terms and posts, then live updates on top. */
async function loadHistory(): Promise<void> {
  const to = new Date();
  const from = new Date(to.getTime() - HISTORY_MS);
  const range = new URLSearchParams({
    window: windowSpec,
    from: from.toISOString(),
    to: to.toISOString(),
  });
  const results = await Promise.allSettled(
    subreddits.map((name) =>
      api
        .get<{
          subreddit: string;
          window: string;
          windows: Omit<WindowRow, 'subreddit' | 'window'>[];
        }>(`/api/subreddits/${encodeURIComponent(name)}/windows?${range.toString()}`)
        .then((body) =>
          body.windows.map((w) => ({ ...w, subreddit: body.subreddit, window: body.window })),
        ),
    ),
  );
  for (const result of results) {
    if (result.status === 'rejected') report('Windows', result.reason);
    else for (const w of result.value) series.add(w);
  }
  if (results.every((r) => r.status === 'fulfilled')) clearError('Windows');
  await loadTrends();
  draw();
}

async function loadTrends(): Promise<void> {
  const scopes = ['*', ...subreddits];
  const found = await Promise.allSettled(
    scopes.map((scope) =>
      api.get<{ trends: TrendRow[] }>(
        `/api/trends?${new URLSearchParams({ scope, window: '1h', limit: '20' }).toString()}`,
      ),
    ),
  );
  const rows: TrendRow[] = [];
  for (const result of found) {
    if (result.status === 'fulfilled') rows.push(...result.value.trends);
    else report('Trends', result.reason);
  }
  trends = [
    ...rows,
    ...trends.filter((t) => !rows.some((r) => r.scope === t.scope && r.term === t.term)),
  ];
}

async function loadPosts(): Promise<void> {
  if (subreddits.length === 0) return renderPosts($('posts'), []);
  const results = await Promise.allSettled(
    subreddits.map((name) =>
      api
        .get<{ subreddit: string; posts: PostRow[] }>(
          `/api/subreddits/${encodeURIComponent(name)}/posts?limit=10`,
        )
        .then((body) => body.posts.map((p) => ({ ...p, subreddit: body.subreddit }))),
    ),
  );
  const posts = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) report('Posts', failed.reason);
  else clearError('Posts');
  posts.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  renderPosts($('posts'), posts.slice(0, 15));
}

/** Data warnings the server reports (events dropped as too late), and whether it is healthy. */
async function loadHealth(): Promise<void> {
  let warnings: string[] = [];
  try {
    const response = await fetch('/health', { headers: { accept: 'application/json' } });
    const body = (await response.json()) as { status?: string; warnings?: string[] };
    warnings = [...(body.warnings ?? [])];
    if (response.status === 503)
      warnings.unshift('The server reports a dependency down or consumption paused (see /health).');
  } catch {
    return; // Unreachable: the live streams say so already.
  }
  const box = $('warnings');
  box.replaceChildren(
    ...warnings.map((warning) => {
      const p = document.createElement('p');
      p.textContent = warning;
      return p;
    }),
  );
  box.hidden = warnings.length === 0;
}

async function loadStreams(): Promise<void> {
  try {
    streams = await api.get<StreamRow[]>('/api/streams');
    clearError('Streams');
  } catch (error) {
    report('Streams', error);
  }
  renderStreams($('streams'), streams, (stream, action) => void act(stream, action));
  renderKnown();
}

function renderKnown(): void {
  const known = new Set<string>();
  for (const s of streams)
    if (s.state === 'running') for (const name of s.subreddits) known.add(name);
  const box = $('known-subreddits');
  box.replaceChildren(
    ...[...known].sort().map((name) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = `r/${name}`;
      b.setAttribute('aria-pressed', String(subreddits.includes(name)));
      b.addEventListener('click', () => {
        const next = subreddits.includes(name)
          ? subreddits.filter((s) => s !== name)
          : [...subreddits, name];
        $<HTMLInputElement>('subreddits').value = next.join(', ');
        void choose(next, windowSpec);
      });
      return b;
    }),
  );
}

async function act(stream: StreamRow, action: StreamAction): Promise<void> {
  const path = `/api/streams/${encodeURIComponent(stream.id)}`;
  try {
    if (action === 'stop') await api.send('DELETE', path);
    else await api.send('POST', `${path}/${action}`);
    clearError('Stream control');
  } catch (error) {
    report('Stream control', error);
  }
  await loadStreams();
}

async function startStream(form: HTMLFormElement): Promise<void> {
  const data = new FormData(form);
  const field = (name: string): string => {
    const value = data.get(name);
    return typeof value === 'string' ? value.trim() : '';
  };
  const source = field('source') || 'synthetic';
  const names = normalise(field('subreddits'));
  const rate = Number(field('rate'));
  const body: Record<string, unknown> = { source };
  const id = field('id');
  if (id) body.id = id;
  if (names.length > 0) body.subreddits = names;
  if (source !== 'replay' && rate > 0) body.ratePerSecond = rate;
  if (source === 'replay') body.replay = { file: field('file') };
  try {
    await api.send('POST', '/api/streams', body);
    clearError('Stream control');
    if (subreddits.length === 0 && names.length > 0) {
      $<HTMLInputElement>('subreddits').value = names.join(', ');
      await choose(names, windowSpec);
    }
  } catch (error) {
    report('Stream control', error);
  }
  await loadStreams();
}

async function choose(names: string[], spec: string): Promise<void> {
  subreddits = names;
  windowSpec = spec;
  // Kept in the address (never the key): a reload or a shared link shows the same view.
  const hash = new URLSearchParams({ subreddits: names.join(','), window: spec });
  history.replaceState(null, '', `#${hash.toString()}`);
  $('view-title').textContent = names.length
    ? `r/${names.join(', r/')} · ${spec} windows`
    : 'Pick subreddits to follow';
  series.clear();
  renderKnown();
  follow();
  await Promise.all([loadHistory(), loadPosts()]);
}

function wireForms(settings: PageSettings): void {
  const select = $<HTMLSelectElement>('window');
  select.replaceChildren(
    ...settings.windowSpecs.map((spec) => {
      const option = document.createElement('option');
      option.value = spec;
      option.textContent = spec.includes('/') ? `${spec} (sliding)` : `${spec} (tumbling)`;
      return option;
    }),
  );
  $<HTMLFormElement>('view-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void choose(normalise($<HTMLInputElement>('subreddits').value), select.value);
  });
  const keyInput = $<HTMLInputElement>('api-key');
  const keyState = $('key-state');
  const showKey = () => {
    keyState.textContent = keys.current() ? 'Key set for this tab.' : 'No key set.';
  };
  showKey();
  $<HTMLFormElement>('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    keys.set(keyInput.value.trim() || null);
    keyInput.value = '';
    showKey();
    void loadStreams();
  });
  $('forget-key').addEventListener('click', () => {
    keys.set(null);
    showKey();
  });
  const start = $<HTMLFormElement>('start-form');
  const source = $<HTMLSelectElement>('start-source');
  const showFields = () => {
    $('replay-fields').hidden = source.value !== 'replay';
    $('rate-fields').hidden = source.value === 'replay';
  };
  source.addEventListener('change', showFields);
  showFields();
  start.addEventListener('submit', (event) => {
    event.preventDefault();
    void startStream(start);
  });
}

async function settingsOf(): Promise<PageSettings> {
  for (;;) {
    try {
      const settings = await api.get<PageSettings>('/api/settings');
      clearError('Server');
      return settings;
    } catch (error) {
      report(
        'Server',
        error instanceof ApiError && error.status === 401
          ? new Error('reads need the API key: set it under Streams')
          : error,
      );
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    }
  }
}

async function main(): Promise<void> {
  showErrors();
  const settings = await settingsOf();
  wireForms(settings);
  if (!settings.trendsEnabled)
    $('trends').textContent = 'Trend detection is off on this server (TRENDS_ENABLED).';
  await loadStreams();
  const fromHash = new URLSearchParams(location.hash.slice(1));
  const spec = settings.windowSpecs.includes(fromHash.get('window') ?? '')
    ? (fromHash.get('window') ?? '')
    : (settings.windowSpecs[0] ?? '1m');
  $<HTMLSelectElement>('window').value = spec;
  let names = normalise(fromHash.get('subreddits') ?? '');
  if (names.length === 0)
    names = [...new Set(streams.filter((s) => s.state === 'running').flatMap((s) => s.subreddits))];
  $<HTMLInputElement>('subreddits').value = names.join(', ');
  await choose(names.slice(0, MAX_SUBREDDITS), spec);
  void loadHealth();
  setInterval(() => void loadStreams().then(loadHealth), STREAMS_EVERY_MS);
  setInterval(() => void loadPosts(), POSTS_EVERY_MS);
  // Trends found while the stream was away, and windows from a gap, are
  // caught up now and then as well.
  setInterval(() => void loadTrends().then(draw), 60_000);
}

void main();
