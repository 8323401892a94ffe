import { moodWord, signed } from './charts';
import { type CountedKey, type PostRow, type StreamRow, type TrendRow } from './types';

/** Every panel is built with textContent: API text is never parsed as HTML. */
function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string | null,
  className?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function empty(target: HTMLElement, message: string): void {
  target.replaceChildren(el('p', message, 'empty'));
}

export function renderTop(target: HTMLElement, keys: readonly CountedKey[], none: string): void {
  if (keys.length === 0) return empty(target, none);
  const max = Math.max(...keys.map((k) => k.count));
  const list = el('ol', undefined, 'top');
  for (const { key, count } of keys) {
    const item = el('li');
    const bar = el('span', undefined, 'bar');
    bar.style.width = `${Math.max(4, (100 * count) / max)}%`;
    bar.setAttribute('aria-hidden', 'true');
    item.append(el('span', key, 'key'), el('span', String(count), 'count'), bar);
    list.append(item);
  }
  target.replaceChildren(list);
}

const KIND_LABEL: Record<string, string> = {
  keyword: 'keyword',
  subreddit: 'r/ mention',
  user: 'u/ mention',
  domain: 'domain',
  ticker: 'ticker',
  hashtag: 'hashtag',
  mood: 'mood shift',
  burst: 'activity burst',
};

/** Rising terms, mood shifts and bursts, strongest first. */
export function renderTrends(target: HTMLElement, trends: readonly TrendRow[]): void {
  if (trends.length === 0)
    return empty(target, 'Nothing is rising in the chosen subreddits right now.');
  const table = el('table');
  const head = el('tr');
  for (const title of ['What', 'Where', 'Kind', 'Now / expected', 'Score', 'Since'])
    head.append(el('th', title));
  table.append(el('thead'), el('tbody'));
  table.tHead?.append(head);
  for (const t of trends) {
    const row = el('tr');
    const what =
      t.kind === 'mood'
        ? `${t.term === 'up' ? '▲ mood up' : '▼ mood down'} (${signed(t.value)}, ${moodWord(t.value)})`
        : t.kind === 'burst'
          ? `${t.term === 'up' ? '▲' : '▼'} ${Math.round(t.value)} events/min`
          : `${t.term}${t.isNew ? ' (new)' : ''}`;
    const rate =
      t.kind === 'mood'
        ? `${signed(t.value)} / ${signed(t.expected)}`
        : `${round(t.value)} / ${round(t.expected)}`;
    for (const cell of [
      what,
      t.scope === '*' ? 'all subreddits' : `r/${t.scope}`,
      KIND_LABEL[t.kind] ?? t.kind,
      rate,
      `${(t.peakScore ?? t.score).toFixed(1)}σ`,
      new Date(t.since).toLocaleTimeString(),
    ])
      row.append(el('td', cell));
    table.tBodies[0]?.append(row);
  }
  target.replaceChildren(table);
}

function round(n: number): string {
  return n >= 10 ? n.toFixed(0) : n.toFixed(1);
}

/** A sentiment as text and symbol, never colour alone. */
function sentimentText(post: PostRow): { text: string; className: string } {
  if (post.sentimentScore === null) return { text: '· not scored', className: 'mood-none' };
  const label = post.sentimentLabel ?? moodWord(post.sentimentScore);
  const symbol = label === 'positive' ? '+' : label === 'negative' ? '−' : '·';
  return { text: `${symbol} ${label} ${signed(post.sentimentScore)}`, className: `mood-${label}` };
}

export function renderPosts(
  target: HTMLElement,
  posts: readonly (PostRow & { subreddit: string })[],
): void {
  if (posts.length === 0) return empty(target, 'No posts stored yet for these subreddits.');
  const list = el('ul', undefined, 'posts');
  for (const post of posts) {
    const item = el('li');
    const meta = el('p', undefined, 'meta');
    const mood = sentimentText(post);
    meta.append(
      el('span', mood.text, `mood ${mood.className}`),
      el(
        'span',
        ` r/${post.subreddit} · ${post.kind} · ${post.author ?? '[deleted]'} · ${new Date(post.createdAt).toLocaleTimeString()}`,
      ),
    );
    const text = post.title ?? post.body ?? '';
    item.append(meta, el('p', text.length > 280 ? `${text.slice(0, 277)}…` : text, 'text'));
    list.append(item);
  }
  target.replaceChildren(list);
}

export type StreamAction = 'pause' | 'resume' | 'stop';

export function renderStreams(
  target: HTMLElement,
  streams: readonly StreamRow[],
  act: (stream: StreamRow, action: StreamAction) => void,
): void {
  if (streams.length === 0) return empty(target, 'No streams yet: start one below.');
  const table = el('table');
  const head = el('tr');
  for (const title of [
    'Stream',
    'State',
    'Subreddits',
    'Produced',
    'Counted',
    'Late / rejected',
    '',
  ])
    head.append(el('th', title));
  table.append(el('thead'), el('tbody'));
  table.tHead?.append(head);
  for (const s of streams) {
    const row = el('tr');
    row.dataset.stream = s.id;
    const late = s.consumed?.tooLate ?? 0;
    const lateCell = el(
      'td',
      `${late} too late · ${s.consumed?.deadLettered ?? 0} dead-lettered · ${s.produced.rejected} rejected`,
    );
    if (late > 0) {
      lateCell.className = 'warning';
      lateCell.title = `${late} events arrived after their windows closed and were not counted (sent to ${s.consumed?.tooLateTo ?? 'the late-events topic'}).`;
      lateCell.prepend(el('span', '⚠ ', undefined));
    }
    row.append(
      el('td', `${s.id} (${s.source})`),
      el('td', s.state, `state state-${s.state}`),
      el('td', s.subreddits.join(', ') || '—'),
      el('td', String(s.produced.total)),
      el('td', String(s.consumed?.applied ?? 0)),
      lateCell,
    );
    const actions = el('td', undefined, 'actions');
    const button = (action: StreamAction, label: string) => {
      const b = el('button', label);
      b.type = 'button';
      b.setAttribute('aria-label', `${label} stream ${s.id}`);
      b.addEventListener('click', () => act(s, action));
      actions.append(b);
    };
    if (s.state === 'running') button('pause', 'Pause');
    if (s.state === 'paused') button('resume', 'Resume');
    if (s.state === 'running' || s.state === 'paused') button('stop', 'Stop');
    row.append(actions);
    if (s.lastError) row.title = `Last error: ${s.lastError}`;
    table.tBodies[0]?.append(row);
  }
  target.replaceChildren(table);
}
