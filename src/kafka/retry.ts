// Retries for Kafka data-plane calls: retryable errors (leader moved, broker restarting, request
// timeout) are retried with exponential backoff and jitter; anything else fails at once.
import type { Logger } from 'pino';
import { isKafkaBackupError } from '../errors.js';
import type { KafkaSettings } from './settings.js';

export async function withKafkaRetries<T>(
  settings: Pick<KafkaSettings, 'retries' | 'retryBackoffMs'>,
  log: Logger,
  what: string,
  fn: (attempt: number) => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const retryable = isKafkaBackupError(err) && err.retryable;
      if (!retryable || attempt >= settings.retries) throw err;
      const delay = Math.min(30_000, settings.retryBackoffMs * 2 ** attempt) * (0.5 + Math.random() / 2);
      log.warn({ attempt: attempt + 1, delayMs: Math.round(delay), err: (err as Error).message }, `${what}: retrying`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
