import { type INestApplication } from '@nestjs/common';
import { createApp, startApp } from '@app/bootstrap';
import { EventSink } from '@app/kafka/ports';
import { SyntheticRedditGenerator } from '@app/ingest/sources/synthetic/synthetic-generator';
import { dropNamespace } from '../support/cleanup';
import { eventually, STACK, testNamespace, type TestNamespace } from '../support/environment';

jest.setTimeout(180_000);

interface PromVectorResponse {
  status: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

async function promQuery(query: string): Promise<PromVectorResponse['data']['result']> {
  const response = await fetch(
    `${STACK.prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`,
  );
  const body = (await response.json()) as PromVectorResponse;
  if (body.status !== 'success') throw new Error(`Prometheus answered ${JSON.stringify(body)}`);
  return body.data.result;
}

/**
 * The stack's Prometheus scrapes 127.0.0.1:<scrapedAppPort> (the test command
 * starts it with PROMETHEUS_SCRAPE_TARGETS); this app listens there.
 */
describe('metrics scraped by the real Prometheus', () => {
  let ns: TestNamespace;
  let app: INestApplication;

  beforeAll(async () => {
    ns = testNamespace();
    app = await createApp(ns.config);
    await startApp(app, '127.0.0.1', STACK.scrapedAppPort);
  });

  afterAll(async () => {
    await app?.close();
    await dropNamespace(ns.config);
  });

  it('sees the app as an up target and the exact counts of produced and consumed events', async () => {
    const instance = `127.0.0.1:${STACK.scrapedAppPort}`;
    const items = new SyntheticRedditGenerator({
      seed: 3,
      subreddits: ['dataengineering'],
      kinds: ['submission', 'comment'],
      startTimeMs: Date.UTC(2025, 3, 1),
      eventIntervalMs: 1000,
      streamId: 'prometheus-test',
    }).take(250);
    const submissions = items.filter((item) => item.kind === 'submission').length;
    await app
      .get(EventSink)
      .publish(items.map((item) => ({ ...item, ingestedUtc: Date.now() / 1000 })));

    await eventually(
      () => promQuery(`up{job="reddit-analytics",instance="${instance}"}`),
      (result) => result[0]?.value[1] === '1',
      { what: 'Prometheus to scrape the app', timeoutMs: 90_000 },
    );
    const consumed = await eventually(
      () => promQuery(`reddit_events_consumed_total{instance="${instance}"}`),
      (result) => result.reduce((sum, r) => sum + Number(r.value[1]), 0) === items.length,
      { what: `Prometheus to report ${items.length} consumed events`, timeoutMs: 90_000 },
    );
    const byKind = Object.fromEntries(consumed.map((r) => [r.metric.kind, Number(r.value[1])]));
    expect(byKind).toEqual({ submission: submissions, comment: items.length - submissions });

    // Windows are written at the next flush after the events are taken in.
    const windows = await eventually(
      () => promQuery(`reddit_windows_written_total{instance="${instance}",store="cassandra"}`),
      (result) => result.length > 0,
      { what: 'Prometheus to report windows written', timeoutMs: 30_000 },
    );
    expect(Number(windows[0]?.value[1])).toBeGreaterThan(0);
  });
});
