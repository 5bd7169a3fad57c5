// Retries for Kafka data-plane calls: retryable errors (leader moved, broker restarting, request
// timeout) are retried with exponential backoff (retry.backoff.ms doubling, at most 30 s) and
// jitter, through the one retry loop (src/retry.ts); anything else fails at once.
import type { Logger } from 'pino';
import { retry } from '../retry.js';
import type { KafkaSettings } from './settings.js';

export function withKafkaRetries<T>(
  settings: Pick<KafkaSettings, 'retries' | 'retryBackoffMs'>,
  log: Logger,
  what: string,
  fn: (attempt: number) => Promise<T>,
): Promise<T> {
  return retry(fn, {
    policy: { retries: settings.retries, baseDelayMs: settings.retryBackoffMs, maxDelayMs: 30_000 },
    onRetry: (err, attempt, delayMs) => log.warn({ attempt, delayMs, err: (err as Error).message }, `${what}: retrying`),
  });
}
