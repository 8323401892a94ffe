import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { type RedditEvent, subredditKey } from '@app/events/reddit-event';
import { SyntheticRedditGenerator } from '@app/ingest/sources/synthetic/synthetic-generator';
import { dropNamespace } from '../support/cleanup';
import {
  eventually,
  TEST_API_KEY,
  testNamespace,
  type TestNamespace,
} from '../support/environment';
import { ServerProcess } from '../support/server-process';

jest.setTimeout(300_000);

/**
 * The live page at / in Debian's Chromium (puppeteer-core), against the real
 * server process on the real stack. Each test saves a screenshot under
 * test-output/live-page/ (gitignored).
 */

/** Debian's Chromium, as scripts/prerequisites.sh installs it. */
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(__dirname, '..', '..', 'test-output', 'live-page');
const MINUTE = 60_000;

let ns: TestNamespace;
let server: ServerProcess;
let browser: Browser;
let profile: string;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ns = testNamespace({
    WINDOW_FLUSH_INTERVAL_MS: '500',
    STREAMING_CHECKPOINT_INTERVAL_MS: '1000',
    // No archive of closed windows: an event for a window the stream has
    // closed is then too late, and the page must say so.
    WINDOW_MERGE_HORIZON_HOURS: '0',
  });
  server = new ServerProcess(ns.env, { name: 'live-page' });
  await server.start();
  profile = mkdtempSync(join(tmpdir(), 'live-page-chromium-'));
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
  if (profile) rmSync(profile, { recursive: true, force: true });
  if (ns) await dropNamespace(ns.config);
});

/** A page at 1280×800 (or a phone's width) that records console errors and uncaught exceptions. */
async function open(width = 1280, height = 800): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  await page.setViewport({ width, height });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(`${server.baseUrl}/`, { waitUntil: 'load' });
  return { page, errors };
}

/** Page-side code goes as text: this program has no DOM types. */
const text = (page: Page, selector: string): Promise<string> =>
  page.evaluate(
    `document.querySelector(${JSON.stringify(selector)})?.textContent ?? ''`,
  ) as Promise<string>;

async function api(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-api-key': TEST_API_KEY },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('the live page', () => {
  it('loads with no console errors and shows its empty states', async () => {
    const { page, errors } = await open();
    await page.waitForFunction(
      `document.querySelector('#streams')?.textContent?.includes('No streams yet')`,
    );
    expect(await text(page, '#activity-summary')).toContain('No windows yet');
    expect(await text(page, '#view-title')).toContain('Pick subreddits');
    const options = await page.evaluate(
      `[...document.querySelectorAll('#window option')].map((option) => option.value)`,
    );
    expect(options).toEqual(ns.config.streaming.windowSpecs);
    // The Swagger UI stays where it was.
    expect((await fetch(`${server.baseUrl}/docs`)).status).toBe(200);
    await page.screenshot({ path: join(SHOTS, 'empty.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('starts a stream only with the key, then charts and top keywords move without a reload, and stops it', async () => {
    const { page, errors } = await open();
    await page.waitForFunction(`document.querySelector('#window option') !== null`);
    await page.type('#start-form input[name="id"]', 'page-demo');
    await page.type('#start-form input[name="subreddits"]', 'askscience, movies');
    await page.evaluate(`document.querySelector('#start-form input[name="rate"]').value = '40'`);

    // Without the key: refused, and said so.
    await page.click('#start-form button[type="submit"]');
    await page.waitForFunction(
      `document.querySelector('#errors')?.textContent?.includes('Stream control')`,
    );
    expect(await text(page, '#errors')).toMatch(/API key/i);
    expect(await (await api('GET', '/api/streams')).json()).toEqual([]);

    // With it (kept in the tab, never in the address).
    await page.type('#api-key', TEST_API_KEY);
    await page.click('#key-form button[type="submit"]');
    await page.click('#start-form button[type="submit"]');
    await page.waitForFunction(
      `document.querySelector('tr[data-stream="page-demo"] .state')?.textContent === 'running'`,
      { timeout: 30_000 },
    );
    expect(page.url()).not.toContain(TEST_API_KEY);
    expect(await text(page, '#view-title')).toContain('r/askscience, r/movies');

    // Live updates, on the same document (a marker set now survives).
    await page.evaluate('window.marker = 1');
    await page.waitForFunction(
      `document.querySelector('#activity-summary')?.textContent?.startsWith('Latest window')`,
      { timeout: 90_000 },
    );
    await page.waitForFunction(`document.querySelectorAll('#top-keywords li').length > 0`, {
      timeout: 60_000,
    });
    const first = await text(page, '#activity-summary');
    const firstTop = await text(page, '#top-keywords');
    await page.waitForFunction(
      `document.querySelector('#activity-summary')?.textContent !== ${JSON.stringify(first)} &&
       document.querySelector('#top-keywords')?.textContent !== ${JSON.stringify(firstTop)}`,
      { timeout: 90_000 },
    );
    expect(await page.evaluate('window.marker')).toBe(1);
    expect(await text(page, '#connection')).toContain('Live');
    expect(
      await page.evaluate(`document.querySelectorAll('#activity-chart canvas').length`),
    ).toBeGreaterThan(0);
    expect(await text(page, '#sentiment-summary')).toMatch(
      /mean [+−]?\d\.\d\d \((positive|neutral|negative)\)/,
    );
    await page.waitForFunction(`document.querySelectorAll('#posts li').length > 0`, {
      timeout: 30_000,
    });
    await page.screenshot({ path: join(SHOTS, 'streaming.png'), fullPage: true });

    // Stop it from the page.
    await page.click('tr[data-stream="page-demo"] button[aria-label="Stop stream page-demo"]');
    await page.waitForFunction(
      `document.querySelector('tr[data-stream="page-demo"] .state')?.textContent === 'stopped'`,
      { timeout: 30_000 },
    );
    const streams = (await (await api('GET', '/api/streams')).json()) as { state: string }[];
    expect(streams.map((s) => s.state)).toEqual(['stopped']);
    // The browser logs the refused start, and nothing else went wrong.
    expect(errors).toEqual([expect.stringContaining('status of 401')]);
    await page.close();
  });

  it('reconnects after a server restart and goes on updating', async () => {
    const start = (id: string) =>
      api('POST', '/api/streams', {
        id,
        source: 'synthetic',
        subreddits: ['gardening'],
        ratePerSecond: 30,
      });
    expect((await start('before-restart')).status).toBe(201);
    const { page, errors } = await open();
    await page.goto(`${server.baseUrl}/#subreddits=gardening&window=1m`, { waitUntil: 'load' });
    await page.waitForFunction(
      `document.querySelector('#connection')?.textContent?.startsWith('Live') &&
       document.querySelector('#activity-summary')?.textContent?.startsWith('Latest window')`,
      { timeout: 90_000 },
    );

    await server.stopGracefully();
    await page.waitForFunction(
      `document.querySelector('#connection')?.textContent?.startsWith('Reconnecting')`,
      { timeout: 30_000 },
    );
    await server.start({ samePort: true });
    expect((await start('after-restart')).status).toBe(201);
    await page.waitForFunction(
      `document.querySelector('#connection')?.textContent?.startsWith('Live') &&
       document.querySelector('tr[data-stream="after-restart"]') !== null`,
      { timeout: 60_000 },
    );
    // Windows written after the restart reach the same page.
    const before = await text(page, '#activity-summary');
    await page.waitForFunction(
      `document.querySelector('#activity-summary')?.textContent !== ${JSON.stringify(before)}`,
      { timeout: 90_000 },
    );
    // The outage's error notices clear as each panel is read again.
    await page.waitForFunction(`document.querySelector('#errors').hidden`, { timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, 'after-restart.png'), fullPage: true });
    await api('DELETE', '/api/streams/after-restart');
    await api('DELETE', '/api/streams/before-restart');
    // The browser logged the live streams cut by the shutdown and the refused reconnections.
    expect(
      errors.filter(
        (e) =>
          !/ERR_CONNECTION_REFUSED|ERR_INCOMPLETE_CHUNKED_ENCODING|Failed to fetch|status of 50\d/.test(
            e,
          ),
      ),
    ).toEqual([]);
    await page.close();
  });

  it('labels every control and keeps the contrast of its text', async () => {
    const { page } = await open();
    await page.waitForFunction(`document.querySelector('#window option') !== null`);
    const unlabelled = await page.evaluate(`[...document.querySelectorAll('input, select, button')]
      .filter((node) => !(node.labels?.length || node.getAttribute('aria-label') || node.textContent.trim()))
      .map((node) => node.outerHTML)`);
    expect(unlabelled).toEqual([]);
    // WCAG AA: 4.5:1 for the page's text on its background, muted text included.
    const ratios = (await page.evaluate(`(() => {
      const luminance = (rgb) => {
        const [r, g, b] = rgb.match(/\\d+/g).slice(0, 3).map((v) => {
          const c = Number(v) / 255;
          return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const background = (node) => {
        for (let n = node; n; n = n.parentElement) {
          const colour = getComputedStyle(n).backgroundColor;
          if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') return colour;
        }
        return 'rgb(255, 255, 255)';
      };
      return [...document.querySelectorAll('h1, h2, h3, label, p, td, th, button, a')]
        .filter((node) => node.textContent.trim())
        .map((node) => {
          const a = luminance(getComputedStyle(node).color);
          const b = luminance(background(node));
          return Math.round(((Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)) * 100) / 100;
        });
    })()`)) as number[];
    expect(ratios.length).toBeGreaterThan(10);
    expect(Math.min(...ratios)).toBeGreaterThanOrEqual(4.5);
    await page.close();
  });

  it('shows a planted burst in the rising list, also at a phone width', async () => {
    // Forty minutes of r/space up to now, "supernova" surging in the last twelve.
    const now = Date.now();
    const start = now - 40 * MINUTE;
    const background = new SyntheticRedditGenerator({
      seed: 7,
      subreddits: ['space'],
      kinds: ['comment'],
      startTimeMs: start,
      eventIntervalMs: 2_000,
      streamId: 'page-burst',
    });
    const burst = new SyntheticRedditGenerator({
      seed: 8,
      subreddits: ['space'],
      kinds: ['comment'],
      startTimeMs: now - 12 * MINUTE,
      eventIntervalMs: 2_400,
      streamId: 'page-burst',
    });
    const ingestedUtc = Math.floor(now / 1000);
    const events: RedditEvent[] = [
      ...background.take((40 * MINUTE) / 2_000).map((e) => ({ ...e, ingestedUtc })),
      ...burst
        .take((12 * MINUTE) / 2_400)
        .map((e) => ({ ...e, body: 'That supernova last night was unreal', ingestedUtc })),
    ].sort((a, b) => a.createdUtc - b.createdUtc);
    // And, last, one for a window closed half an hour ago: too late.
    const [stale] = new SyntheticRedditGenerator({
      seed: 9,
      subreddits: ['space'],
      kinds: ['comment'],
      startTimeMs: now - 30 * MINUTE,
      eventIntervalMs: 1_000,
      streamId: 'page-burst',
    }).take(1);
    if (stale) events.push({ ...stale, id: 'zzstale', fullname: 't1_zzstale', ingestedUtc });
    const kafka = new Kafka({ brokers: [...ns.config.kafka.brokers], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      for (let i = 0; i < events.length; i += 200) {
        await producer.send({
          topic: ns.config.kafka.topics.events,
          messages: events.slice(i, i + 200).map((event) => ({
            key: subredditKey(event.subreddit),
            value: JSON.stringify(event),
          })),
        });
      }
    } finally {
      await producer.disconnect();
    }
    await eventually(
      async () =>
        (await (await api('GET', '/api/subreddits/space/trends?window=1h')).json()) as {
          trends: { term: string }[];
        },
      (body) => body.trends.some((t) => t.term === 'supernova'),
      { what: 'the burst found by the server', timeoutMs: 120_000 },
    );

    const { page, errors } = await open(390, 844);
    await page.goto(`${server.baseUrl}/#subreddits=space&window=1m`, { waitUntil: 'load' });
    // The rising list has the burst in r/space (and, once the all-subreddits
    // scope has judged those minutes, across all subreddits too).
    const spaceRow = `[...document.querySelectorAll('#trends tr')].map((r) => r.textContent ?? '').filter((t) => t.includes('supernova') && t.includes('r/space'))`;
    await page.waitForFunction(`${spaceRow}.length > 0`, { timeout: 60_000 });
    expect(await page.evaluate(spaceRow)).toHaveLength(1);
    // The event that came too late is reported, not silently dropped.
    await eventually(
      async () =>
        (await (await fetch(`${server.baseUrl}/health`)).json()) as { warnings: string[] },
      (health) => health.warnings.some((w) => w.includes('too late')),
      { what: 'the too-late event in /health', timeoutMs: 60_000 },
    );
    await page.waitForFunction(
      `document.querySelector('#warnings')?.textContent?.includes('too late')`,
      { timeout: 30_000 },
    );
    expect(await text(page, '#warnings')).toContain('page-burst');
    // Nothing wider than the phone's screen.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(SHOTS, 'burst-phone.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
