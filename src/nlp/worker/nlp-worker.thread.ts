import { parentPort, workerData } from 'node:worker_threads';
import type { NlpConfig } from '@app/config';
import { analyzeRedditText, type TextAnalysis } from '../domain/analysis';
import { createSentimentScorer } from '../sentiment-scorer.factory';
import { type WorkerReply, type WorkerRequest } from './nlp-worker.protocol';

/** An NLP worker thread: the same analysis as the server's own thread, on texts it is sent. */
const port = parentPort;
if (!port) throw new Error('nlp-worker.thread runs as a worker thread only');
const scorer = createSentimentScorer(workerData as NlpConfig);

port.on('message', (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    const results: TextAnalysis[] = [];
    for (let i = 0; i < request.titles.length; i++) {
      results.push(
        analyzeRedditText({ title: request.titles[i], body: request.bodies[i] }, scorer),
      );
    }
    reply = { id: request.id, results };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
