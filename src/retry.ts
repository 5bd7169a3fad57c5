// The one retry loop of the code base: the storage decorator and the backends' streamed writers,
// the Kafka data-plane calls (kafka/retry.ts) and the restore's produce recovery
// (pipeline/partition-producer.ts) all retry through `retry`, each with its own policy numbers.
//
// Contract: operation(attempt) runs with attempt 0, 1, …; a failure is retried when the predicate
// calls it retryable, fewer than policy.retries retries were made, and the signal (if any) is not
// aborted; otherwise that failure is thrown as it is. Before each wait, onRetry hears of it. The
// wait before retry n (1-based) is the capped exponential min(maxDelayMs, baseDelayMs × 2^(n-1)),
// with jitter 'half' (the default) a random point in its upper half, rounded to a millisecond. An
// abort ends a wait at once, and the failure that preceded it is thrown.
import { isKafkaBackupError } from './errors.js';

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** 'half' (default): wait a random time in [cap/2, cap]; 'none': wait the cap itself. */
  jitter?: 'half' | 'none';
}

export interface RetryOptions {
  policy: RetryPolicy;
  /** Whether a failure may be retried; `attempt` is the attempt that failed. Default: a KafkaBackupError marked retryable. */
  isRetryable?: (err: unknown, attempt: number) => boolean;
  /** Told of each retry (1-based) and its wait, before waiting. */
  onRetry?: (err: unknown, retry: number, delayMs: number) => void;
  /** Ends the waiting at once; the last failure stands. */
  signal?: AbortSignal;
  /** Failures already counted against policy.retries, by an earlier loop over the same work (a listing resumed page by page). */
  failuresSoFar?: number;
}

/** Test seam: the waits and the jitter's randomness of every retry. */
export const retryClock = {
  sleep: (ms: number): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  random: (): number => Math.random(),
};

/** The wait before retrying after failed attempt `attempt` (0-based). */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return policy.jitter === 'none' ? cap : Math.round(cap / 2 + retryClock.random() * (cap / 2));
}

export function isRetryableError(err: unknown): boolean {
  return isKafkaBackupError(err) && err.retryable;
}

export async function retry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy, signal } = options;
  const retryable = options.isRetryable ?? isRetryableError;
  for (let attempt = options.failuresSoFar ?? 0; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (err) {
      if (!retryable(err, attempt) || attempt >= policy.retries || isAborted(signal)) throw err;
      const delay = backoffDelay(policy, attempt);
      options.onRetry?.(err, attempt + 1, delay);
      await (signal === undefined ? retryClock.sleep(delay) : Promise.race([retryClock.sleep(delay), aborted(signal)]));
      if (isAborted(signal)) throw err;
    }
  }
}

// A function, not an inline check: TypeScript narrows `signal.aborted` to false across the await.
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}
