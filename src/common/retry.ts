/** Retries an async operation until it succeeds or the deadline passes; for connecting to dependencies at boot. */
export async function retryUntil<T>(
  operation: () => Promise<T>,
  options: {
    readonly deadlineMs: number;
    readonly what: string;
    readonly onRetry?: (error: unknown, attempt: number) => void;
  },
): Promise<T> {
  const deadline = Date.now() + options.deadlineMs;
  let delay = 250;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (Date.now() + delay > deadline) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(
          `${options.what} unavailable after ${options.deadlineMs} ms (${attempt} attempts): ${reason}`,
          { cause: error },
        );
      }
      options.onRetry?.(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }
}
