/**
 * Trains the Reddit sentiment model and writes the model file the server loads.
 *
 *   npm run train:sentiment                        # fit on train.tsv, report dev, write the model file
 *   npm run train:sentiment -- --out FILE          # write elsewhere
 *   npm run train:sentiment -- --data DIR          # train.tsv and dev.tsv from DIR
 *   npm run train:sentiment -- --search 'JSON'     # first fit and report each setting of a JSON list
 *                                                  # such as [{"hashBits":18,"charGramWeight":0.2,"l2":1e-5}]
 *
 * Data: ../shared/data/sentiment/goemotions (train.tsv to fit, dev.tsv to
 * choose). Training is deterministic (full-batch
 * L-BFGS from zero weights, no random step), so running this twice writes
 * the same bytes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { analyzeRedditText } from '../src/nlp/domain/analysis';
import { evaluateOnComments } from '../src/nlp/domain/sentiment-evaluation';
import {
  classificationReport,
  formatConfusion,
  type LabelledRow,
  parseLabelledTsv,
} from '../src/nlp/domain/classification-metrics';
import { type FeatureOptions } from '../src/nlp/domain/reddit-model/feature-layout';
import {
  CLASSES,
  encodeModel,
  type RedditSentimentModel,
} from '../src/nlp/domain/reddit-model/reddit-sentiment.model';
import { type SentimentLabel } from '../src/nlp/domain/sentiment';
import { RedditSentimentScorer } from '../src/nlp/domain/reddit-model/reddit-sentiment.scorer';
import { trainRedditSentimentModel } from '../src/nlp/domain/reddit-model/training';
import { DEFAULT_MODEL_FILE } from '../src/nlp/sentiment-model.file';

/** Chosen on dev.tsv with --search. */
type Config = Omit<FeatureOptions, 'lexicons'> & { l2: number; maxIterations?: number };
const CHOSEN: Config = { hashBits: 18, charGramWeight: 0.2, l2: 2e-5, maxIterations: 600 };

const MAX_ITERATIONS = 300;

function evaluateOnDev(model: RedditSentimentModel, dev: readonly LabelledRow[]) {
  return evaluateOnComments(new RedditSentimentScorer(model), dev);
}

/**
 * Offsets for the negative and positive biases (neutral stays) that best
 * label dev.tsv, judged by accuracy plus macro-F1, on a grid of 0.05 within
 * ±0.5; ties go to the smaller offsets. The probabilities are computed once.
 */
function chooseClassOffsets(model: RedditSentimentModel, dev: readonly LabelledRow[]): number[] {
  const scorer = new RedditSentimentScorer(model);
  const logOdds = dev.map((row) => {
    const p = analyzeRedditText({ body: row.text }, scorer).sentiment?.probabilities;
    return p ? [Math.log(p.negative), Math.log(p.neutral), Math.log(p.positive)] : null;
  });
  const truth = dev.map((row) => row.label);
  let best = { objective: -Infinity, size: Infinity, offsets: [0, 0, 0] };
  for (let negative = -10; negative <= 10; negative++) {
    for (let positive = -10; positive <= 10; positive++) {
      const offsets = [negative / 20, 0, positive / 20];
      const predicted = logOdds.map((scores): SentimentLabel => {
        if (scores === null) return 'neutral';
        const shifted = scores.map((score, k) => score + offsets[k]!);
        return CLASSES[shifted.indexOf(Math.max(...shifted))]!;
      });
      const report = classificationReport(truth, predicted);
      const objective = report.accuracy + report.macroF1;
      const size = Math.abs(negative) + Math.abs(positive);
      if (
        objective > best.objective + 1e-12 ||
        (objective > best.objective - 1e-12 && size < best.size)
      ) {
        best = { objective, size, offsets };
      }
    }
  }
  return best.offsets;
}

function train(rows: readonly LabelledRow[], config: Config) {
  const started = Date.now();
  const model = trainRedditSentimentModel(rows, {
    features: { hashBits: config.hashBits, charGramWeight: config.charGramWeight },
    l2: config.l2,
    maxIterations: config.maxIterations ?? MAX_ITERATIONS,
    data: 'GoEmotions train.tsv (Reddit comments, sentiment groups)',
  });
  return { model, seconds: (Date.now() - started) / 1000 };
}

function main(): void {
  const args = process.argv.slice(2);
  const option = (name: string): string | undefined => {
    const index = args.indexOf(name);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const dataDir = resolve(
    option('--data') ?? resolve(__dirname, '../../shared/data/sentiment/goemotions'),
  );
  const out = resolve(option('--out') ?? DEFAULT_MODEL_FILE);
  const search = JSON.parse(option('--search') ?? '[]') as Config[];
  const trainRows = parseLabelledTsv(readFileSync(resolve(dataDir, 'train.tsv'), 'utf8'));
  const devRows = parseLabelledTsv(readFileSync(resolve(dataDir, 'dev.tsv'), 'utf8'));
  console.log(`train.tsv ${trainRows.length} rows, dev.tsv ${devRows.length} rows (${dataDir})`);

  for (const config of search) {
    const { model, seconds } = train(trainRows, config);
    const report = evaluateOnDev(model, devRows);
    console.log(
      `search ${JSON.stringify(config)}: dev accuracy ${report.accuracy.toFixed(4)}, macro-F1 ${report.macroF1.toFixed(4)} (${model.provenance.iterations} iterations, ${seconds.toFixed(0)} s)`,
    );
  }

  const fitted = train(trainRows, CHOSEN);
  const offsets = chooseClassOffsets(fitted.model, devRows);
  const model = fitted.model.withClassOffsets(offsets);
  const seconds = fitted.seconds;
  const before = evaluateOnDev(fitted.model, devRows);
  const report = evaluateOnDev(model, devRows);
  const file = encodeModel(model);
  writeFileSync(out, file);
  console.log(
    `trained ${JSON.stringify(CHOSEN)} in ${seconds.toFixed(1)} s: ${model.provenance.iterations} iterations, loss ${model.provenance.loss}`,
  );
  console.log(
    `dev as fitted: accuracy ${before.accuracy.toFixed(4)}, macro-F1 ${before.macroF1.toFixed(4)}`,
  );
  console.log(
    `class offsets chosen on dev ${JSON.stringify(offsets)}: accuracy ${report.accuracy.toFixed(4)}, macro-F1 ${report.macroF1.toFixed(4)}`,
  );
  for (const line of formatConfusion(report)) console.log(`  ${line}`);
  console.log(`wrote ${out}: ${file.length} bytes, model ${model.id}`);
}

main();
