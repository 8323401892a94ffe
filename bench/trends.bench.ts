/**
 * Trend detection against planted truth: how many planted surges the
 * detectors find, how soon, how many alarms the background alone raises, the
 * memory a million distinct terms take, and the CPU per event.
 *
 *   npm run bench:trends [-- --seeds=1,2,3 --hours=6]
 *
 * The generator: 50 subreddits with Zipf activity (1,500 events a minute in
 * all, the busiest about 300), each event carrying 3 keywords drawn from a
 * Zipf vocabulary of 20,000 terms. Planted in it, per seed: 45 terms that run
 * at 2 a minute in one subreddit and surge 2x, 5x or 20x for 10 minutes at a
 * known minute, and 10 mood shifts of -0.3 or +0.3 for 15 minutes. Counts go
 * to the detectors per completed minute, as the 1-minute windows would give
 * them. (This measures the detectors; the end-to-end path comes with the
 * pipeline wiring.)
 */
import {
  DEFAULT_SHIFT_OPTIONS,
  DEFAULT_TREND_OPTIONS,
  type RisingTerm,
  type Shift,
  SubredditShifts,
  TermTable,
} from '@app/trends/domain';
import { normal, poisson, seeded } from '../test/support/random-draws';
import { formatInt, percentile, table } from './support/report';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5);
const SUBREDDITS = 50;
const EVENTS_PER_MINUTE = 1_500;
const KEYWORDS_PER_EVENT = 3;
const VOCABULARY = 20_000;
const PLANTED_BASE_RATE = 2;
const BURST_MINUTES = 10;
const FACTORS = [2, 5, 20] as const;
const BURSTS_PER_FACTOR = 15;
const MOOD_SHIFTS = 10;
const MOOD_MINUTES = 15;

function flag(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
}

/** Cumulative weights of a Zipf law over n ranks, for draws by binary search. */
function zipf(n: number, exponent: number): Float64Array {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + 1) ** exponent;
    cumulative[i] = sum;
  }
  for (let i = 0; i < n; i++) cumulative[i] = (cumulative[i] ?? 0) / sum;
  return cumulative;
}

function draw(cumulative: Float64Array, random: () => number): number {
  const u = random();
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] ?? 1) < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface PlantedBurst {
  readonly subreddit: string;
  readonly term: string;
  readonly factor: number;
  readonly startMinute: number;
}

interface PlantedMood {
  readonly subreddit: string;
  readonly delta: number;
  readonly startMinute: number;
}

interface SeedResult {
  readonly recall: Map<number, number>;
  readonly delays: Map<number, number[]>;
  readonly precision: number;
  readonly falseAlarmsPerSubredditHour: number;
  readonly moodRecall: number;
  readonly moodFalse: number;
  readonly burstsFalse: number;
  readonly cpuNsPerEvent: number;
  readonly events: number;
}

function runSeed(seed: number, minutes: number): SeedResult {
  const random = seeded(seed);
  const subreddits = Array.from({ length: SUBREDDITS }, (_, i) => `sub${i}`);
  const activity = zipf(SUBREDDITS, 1);
  const vocabulary = zipf(VOCABULARY, 1.1);
  const moodOf = subreddits.map(() => (random() - 0.5) * 0.4);

  const bursts: PlantedBurst[] = [];
  for (const factor of FACTORS) {
    for (let i = 0; i < BURSTS_PER_FACTOR; i++) {
      bursts.push({
        subreddit: subreddits[Math.floor(random() * SUBREDDITS)] ?? 'sub0',
        term: `planted-${factor}x-${i}`,
        factor,
        startMinute: 60 + Math.floor(random() * (minutes - 60 - BURST_MINUTES)),
      });
    }
  }
  const moods: PlantedMood[] = Array.from({ length: MOOD_SHIFTS }, (_, i) => ({
    // The busier half: a mood needs scored events to be seen at all.
    subreddit: subreddits[Math.floor(random() * 10)] ?? 'sub0',
    delta: i % 2 === 0 ? -0.3 : 0.3,
    startMinute: 60 + Math.floor(random() * (minutes - 60 - MOOD_MINUTES)),
  }));

  const tables = new Map(subreddits.map((s) => [s, TermTable.empty()]));
  const shifts = new Map(subreddits.map((s) => [s, SubredditShifts.startingAt(T0)]));
  const rising: RisingTerm[] = [];
  const shiftReports: Shift[] = [];
  let detectorNs = 0n;
  let events = 0;

  for (let m = 0; m < minutes; m++) {
    const minuteMs = T0 + m * MINUTE;
    const counts = new Map(subreddits.map((s) => [s, new Map<string, number>()]));
    const perSub = new Map(subreddits.map((s) => [s, { events: 0, sum: 0 }]));
    const total = poisson(EVENTS_PER_MINUTE, random);
    for (let e = 0; e < total; e++) {
      const sub = subreddits[draw(activity, random)] ?? 'sub0';
      const c = counts.get(sub);
      const a = perSub.get(sub);
      if (!c || !a) continue;
      for (let k = 0; k < KEYWORDS_PER_EVENT; k++) {
        const term = `w${draw(vocabulary, random)}`;
        c.set(term, (c.get(term) ?? 0) + 1);
      }
      const shift = moods.find(
        (p) => p.subreddit === sub && m >= p.startMinute && m < p.startMinute + MOOD_MINUTES,
      );
      const sentiment =
        (moodOf[Number(sub.slice(3))] ?? 0) + (shift?.delta ?? 0) + normal(random) * 0.4;
      a.events++;
      a.sum += Math.max(-1, Math.min(1, sentiment));
    }
    for (const b of bursts) {
      const surging = m >= b.startMinute && m < b.startMinute + BURST_MINUTES;
      const n = poisson(PLANTED_BASE_RATE * (surging ? b.factor : 1), random);
      const c = counts.get(b.subreddit);
      if (c && n > 0) c.set(b.term, (c.get(b.term) ?? 0) + n);
    }
    events += total;

    const started = process.hrtime.bigint();
    for (const sub of subreddits) {
      const c = counts.get(sub) ?? new Map<string, number>();
      rising.push(
        ...(tables.get(sub)?.observe(sub, 'keyword', minuteMs, c, DEFAULT_TREND_OPTIONS) ?? []),
      );
      const a = perSub.get(sub) ?? { events: 0, sum: 0 };
      shiftReports.push(
        ...(shifts
          .get(sub)
          ?.observe(
            sub,
            { minuteMs, events: a.events, sentimentSum: a.sum, sentimentCount: a.events },
            DEFAULT_SHIFT_OPTIONS,
          ) ?? []),
      );
    }
    detectorNs += process.hrtime.bigint() - started;
  }

  // One report per rise: its first minute.
  const episodes = rising.filter((r) => r.risingSinceMs === r.minuteMs);
  const plantedKey = (sub: string, term: string) => `${sub}/${term}`;
  const plantedOf = new Map(bursts.map((b) => [plantedKey(b.subreddit, b.term), b]));
  const recall = new Map<number, number>();
  const delays = new Map<number, number[]>();
  for (const factor of FACTORS) {
    const ofFactor = bursts.filter((b) => b.factor === factor);
    const found = ofFactor.flatMap((b) => {
      const first = episodes.find(
        (r) =>
          r.scope === b.subreddit &&
          r.term === b.term &&
          r.minuteMs >= T0 + b.startMinute * MINUTE &&
          r.minuteMs < T0 + (b.startMinute + BURST_MINUTES) * MINUTE,
      );
      return first ? [(first.minuteMs - (T0 + b.startMinute * MINUTE)) / MINUTE + 1] : [];
    });
    recall.set(factor, found.length / ofFactor.length);
    delays.set(factor, found);
  }
  const truePositives = episodes.filter((r) => {
    const b = plantedOf.get(plantedKey(r.scope, r.term));
    return (
      b !== undefined &&
      r.minuteMs >= T0 + b.startMinute * MINUTE &&
      r.minuteMs < T0 + (b.startMinute + BURST_MINUTES) * MINUTE
    );
  }).length;
  const background = episodes.filter((r) => r.term.startsWith('w')).length;
  const hours = (minutes - DEFAULT_TREND_OPTIONS.warmupMinutes) / 60;

  const moodEpisodes = shiftReports.filter((s) => s.kind === 'mood' && s.sinceMs === s.minuteMs);
  const moodHits = moods.filter((p) =>
    moodEpisodes.some(
      (s) =>
        s.scope === p.subreddit &&
        s.direction === (p.delta > 0 ? 'up' : 'down') &&
        s.minuteMs >= T0 + p.startMinute * MINUTE &&
        s.minuteMs < T0 + (p.startMinute + MOOD_MINUTES) * MINUTE,
    ),
  ).length;
  const moodFalse = moodEpisodes.filter(
    (s) =>
      !moods.some(
        (p) =>
          s.scope === p.subreddit &&
          s.minuteMs >= T0 + p.startMinute * MINUTE &&
          s.minuteMs <= T0 + (p.startMinute + MOOD_MINUTES + 2) * MINUTE,
      ),
  ).length;
  const burstsFalse = shiftReports.filter(
    (s) => s.kind === 'burst' && s.sinceMs === s.minuteMs,
  ).length;

  return {
    recall,
    delays,
    precision: episodes.length === 0 ? 1 : truePositives / episodes.length,
    falseAlarmsPerSubredditHour: background / (SUBREDDITS * hours),
    moodRecall: moodHits / moods.length,
    moodFalse,
    burstsFalse,
    cpuNsPerEvent: Number(detectorNs) / events,
    events,
  };
}

/**
 * Heap held by one term table after a million distinct terms went through
 * it: the heap with the table, less the heap once it is released.
 */
function memoryForMillionTerms(): { heapBytes: number; size: number } {
  let tableOfTerms: TermTable | null = TermTable.empty();
  let next = 0;
  for (let m = 0; m < 100; m++) {
    const counts = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) counts.set(`term${next++}`, 1 + (i % 3));
    tableOfTerms.observe('askreddit', 'keyword', T0 + m * MINUTE, counts, DEFAULT_TREND_OPTIONS);
    // As every checkpoint does: what changed is handed over, not kept.
    tableOfTerms.takeChanges();
  }
  const size = tableOfTerms.size;
  global.gc?.();
  global.gc?.();
  const held = process.memoryUsage().heapUsed;
  tableOfTerms = null;
  global.gc?.();
  global.gc?.();
  return { heapBytes: held - process.memoryUsage().heapUsed, size };
}

function main(): void {
  const seeds = (flag('seeds') ?? '1,2,3').split(',').map(Number);
  const minutes = Math.round(Number(flag('hours') ?? '6') * 60);
  console.log(
    `trend benchmark: ${SUBREDDITS} subreddits, ${formatInt(EVENTS_PER_MINUTE)} events/min, ` +
      `${minutes} minutes, seeds ${seeds.join(', ')}`,
  );
  const results = seeds.map((seed) => runSeed(seed, minutes));
  const rows: string[][] = [
    [
      'seed',
      'recall 2x',
      'recall 5x',
      'recall 20x',
      'precision',
      'false/sub-h',
      'median delay 5x',
      'median delay 20x',
      'mood recall',
      'mood false',
      'bursts false',
      'ns/event',
    ],
  ];
  results.forEach((r, i) => {
    const median = (factor: number) =>
      percentile(
        [...(r.delays.get(factor) ?? [])].sort((a, b) => a - b),
        50,
      );
    rows.push([
      String(seeds[i]),
      (r.recall.get(2) ?? 0).toFixed(2),
      (r.recall.get(5) ?? 0).toFixed(2),
      (r.recall.get(20) ?? 0).toFixed(2),
      r.precision.toFixed(3),
      r.falseAlarmsPerSubredditHour.toFixed(4),
      `${median(5)} min`,
      `${median(20)} min`,
      r.moodRecall.toFixed(2),
      String(r.moodFalse),
      String(r.burstsFalse),
      formatInt(Math.round(r.cpuNsPerEvent)),
    ]);
  });
  console.log(table(rows));
  const memory = memoryForMillionTerms();
  console.log(
    `  1,000,000 distinct terms through one table (capacity ${formatInt(DEFAULT_TREND_OPTIONS.capacity)}): ` +
      `${formatInt(memory.size)} kept, heap held ${formatInt(memory.heapBytes / 1024)} KiB` +
      (global.gc ? '' : ' (run node with --expose-gc for a settled figure)'),
  );
  console.log(
    `  command: npm run bench:trends -- --seeds=${seeds.join(',')} --hours=${minutes / 60}`,
  );
}

main();
