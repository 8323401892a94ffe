/** The last error a stream met, when, and when it recovered (null: not yet, or unknown). */
export interface ErrorStatus {
  readonly message: string;
  /** Null for an error restored from before a restart, whose time was not kept. */
  readonly atMs: number | null;
  readonly recoveredAtMs: number | null;
}

/**
 * A stream's last error, kept after it recovers (so a user can see what
 * happened) but marked recovered, so a stale message is never mistaken for
 * a current problem.
 */
export class LastError {
  private current: ErrorStatus | null;

  constructor(restored: string | null = null) {
    this.current =
      restored === null ? null : { message: restored, atMs: null, recoveredAtMs: null };
  }

  get status(): ErrorStatus | null {
    return this.current;
  }

  /** Records an error; the same unrecovered error again keeps its first time. */
  failed(message: string, nowMs: number): void {
    const current = this.current;
    if (current && current.message === message && current.recoveredAtMs === null) return;
    this.current = { message, atMs: nowMs, recoveredAtMs: null };
  }

  /** Work that the error had stopped has succeeded. */
  succeeded(nowMs: number): void {
    const current = this.current;
    if (current && current.recoveredAtMs === null)
      this.current = { ...current, recoveredAtMs: nowMs };
  }
}
