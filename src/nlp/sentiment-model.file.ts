import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeModel,
  type RedditSentimentModel,
} from './domain/reddit-model/reddit-sentiment.model';

/**
 * The trained model shipped with the server. The build copies src/nlp/models
 * to dist/nlp/models, so this path holds from the sources and from dist.
 */
export const DEFAULT_MODEL_FILE = join(__dirname, 'models', 'reddit-sentiment.model.gz');

/**
 * Reads a model file. The error names the variable that points at it, since
 * that is what an operator changes.
 */
export function loadSentimentModel(path: string | null): RedditSentimentModel {
  const file = path ?? DEFAULT_MODEL_FILE;
  try {
    return decodeModel(readFileSync(file));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const source = path === null ? 'the shipped sentiment model' : 'NLP_SENTIMENT_MODEL_FILE';
    throw new Error(`${source} (${file}) cannot be loaded: ${reason}`);
  }
}
