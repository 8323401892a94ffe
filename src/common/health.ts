export type DependencyStatus = 'up' | 'down';

export interface DependencyHealth {
  readonly status: DependencyStatus;
  readonly detail: string;
  readonly latencyMs?: number;
  readonly lastError?: string;
  /** Up, but with less redundancy than configured (e.g. a Kafka broker missing): worth a look. */
  readonly warning?: string;
}
