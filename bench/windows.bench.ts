/**
 * The window step alone: WindowEngine.ingest and drain on one core, with the
 * events of the streaming benchmark (50 subreddits, Reddit-sized text run
 * through the production NLP once beforehand), in consumer-sized batches on
 * three partitions, drained every few batches as flushes do.
 *
 *   npx ts-node -r tsconfig-paths/register --transpile-only bench/windows.bench.ts [events]
 */
import { ManualClock } from '@app/common/clock';
import { VaderSentimentScorer } from '@app/nlp/domain/vader/vader-sentiment.scorer';
import { NlpService } from '@app/nlp/nlp.service';
import { parseWindowSpec, WindowEngine, type EngineInput } from '@app/streaming/domain/engine';
import { toEngineInput } from '@app/streaming/mapping';
import { BENCH_SUBREDDITS, BenchEventSource } from './support/bench-events';

const BATCH = 500;
const PARTITIONS = 3;
const DRAIN_EVERY = 4;

function main(): void {
  const count = Number(process.argv[2] ?? 200_000);
  const source = new BenchEventSource({
    seed: 3,
    subreddits: BENCH_SUBREDDITS,
    startTimeMs: Date.UTC(2025, 0, 1),
    eventIntervalMs: 5,
    meanJsonBytes: 550,
    streamId: 'bench',
  });
  const nlp = new NlpService(new VaderSentimentScorer());
  const inputs: EngineInput[][] = Array.from({ length: PARTITIONS }, () => []);
  for (let i = 0; i < count; i++) {
    const { event } = source.next(Date.now());
    const [enriched] = nlp.enrichBatch([event]);
    if (!enriched) continue;
    const partition = Math.abs(hashOf(event.subreddit)) % PARTITIONS;
    inputs[partition]?.push(toEngineInput(enriched));
  }
  let best = 0;
  for (let round = 0; round < 5; round++) {
    const engine = new WindowEngine({
      specs: ['1m', '5m/1m'].map(parseWindowSpec),
      outOfOrdernessMs: 10_000,
      allowedLatenessMs: 60_000,
      idleTimeoutMs: 30_000,
      clock: new ManualClock(Date.now()),
    });
    const started = process.hrtime.bigint();
    let batches = 0;
    const rounds = Math.max(...inputs.map((list) => Math.ceil(list.length / BATCH)));
    for (let i = 0; i < rounds; i++) {
      for (let p = 0; p < PARTITIONS; p++) {
        const batch = inputs[p]?.slice(i * BATCH, (i + 1) * BATCH) ?? [];
        if (batch.length === 0) continue;
        engine.ingest(`p${p}`, batch);
        if (++batches % DRAIN_EVERY === 0) engine.drain(`p${p}`);
      }
    }
    for (let p = 0; p < PARTITIONS; p++) engine.drain(`p${p}`);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    best = Math.max(best, count / seconds);
  }
  console.log(
    `windows step: ${Math.round(best).toLocaleString('en')} events/s (best of 5, ${count.toLocaleString('en')} events, specs 1m and 5m/1m, 3 partitions)`,
  );
}

function hashOf(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h, 31) + text.charCodeAt(i);
  return h;
}

main();
