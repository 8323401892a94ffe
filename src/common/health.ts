export type DependencyStatus = 'up' | 'down';

export interface DependencyHealth {
  readonly status: DependencyStatus;
  readonly detail: string;
  readonly latencyMs?: number;
  readonly lastError?: string;
}
