// Exponential backoff with jitter for connecting and for re-establishing dropped streams.
import { McpClientError } from './errors.js';

export interface RetryOptions {
  /** Attempts in all, the first included (default 6; 1 = no retry). */
  maxAttempts?: number;
  /** Delay before the second attempt, doubled after each failure (default 250 ms). */
  initialDelayMs?: number;
  /** Upper bound of one delay, also for a server's Retry-After (default 10 000 ms). */
  maxDelayMs?: number;
}

/**
 * Delay before retry number `attempt` (0-based): the exponential step, capped, with "equal jitter"
 * (half fixed, half random) so clients cut off together do not come back in lockstep.
 */
export function backoffDelay(attempt: number, { initialDelayMs = 250, maxDelayMs = 10_000 }: RetryOptions = {}): number {
  const step = Math.min(maxDelayMs, initialDelayMs * 2 ** attempt);
  return step / 2 + Math.random() * (step / 2);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `fn` until it succeeds, a non-retryable error occurs, or the attempts are used up. */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void,
): Promise<T> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 6);
  for (let attempt = 0; ; ++attempt) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt + 1 >= maxAttempts || !isRetryable(err)) throw err;
      const serverHint = (err as { retryAfterMs?: number }).retryAfterMs ?? 0;
      const delay = Math.min(options.maxDelayMs ?? 10_000, Math.max(backoffDelay(attempt, options), serverHint));
      onRetry?.(err, attempt, delay);
      await sleep(delay);
    }
  }
}

export function isRetryable(err: unknown): boolean {
  return err instanceof McpClientError ? err.retryable : false;
}
