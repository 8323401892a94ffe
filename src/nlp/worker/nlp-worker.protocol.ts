import { type TextAnalysis } from '../domain/analysis';

/** Texts to analyse: title and body of each item, in order. */
export interface WorkerRequest {
  readonly id: number;
  readonly titles: readonly (string | null)[];
  readonly bodies: readonly (string | null)[];
}

export type WorkerReply =
  | { readonly id: number; readonly results: TextAnalysis[] }
  | { readonly id: number; readonly error: string };
