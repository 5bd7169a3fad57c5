// Retries for the requests of a streamed upload (PutObject, CreateMultipartUpload, UploadPart,
// CompleteMultipartUpload). The retry decorator does not replay writers, and the client does not
// retry (client.ts), so without this one lost connection would fail a whole segment. Same policy
// as the decorator (defaultRetryPolicy: exponential backoff with jitter, 6 retries, up to 10 s
// apart), retrying what errors.ts calls retryable; an abort signal ends the wait at once.

import { setTimeout as delay } from 'node:timers/promises';
import { defaultRetryPolicy, type RetryPolicy } from '../retry.js';
import { isRetryable } from './errors.js';

export async function withUploadRetries<T>(operation: () => Promise<T>, signal?: AbortSignal, policy: RetryPolicy = defaultRetryPolicy): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (err) {
      if (!isRetryable(err) || attempt >= policy.retries || signal?.aborted === true) throw err;
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
      const wait = Math.round(cap / 2 + Math.random() * (cap / 2));
      try {
        await delay(wait, undefined, signal === undefined ? undefined : { signal });
      } catch {
        throw err; // aborted while waiting: the last failure stands
      }
    }
  }
}
