// Retries for the requests of a streamed upload (PutObject, CreateMultipartUpload, UploadPart,
// CompleteMultipartUpload). The retry decorator does not replay writers, and the client does not
// retry (client.ts), so without this one lost connection would fail a whole segment. Same loop and
// policy as the decorator (retry.ts), retrying what errors.ts calls retryable; an abort signal
// ends the wait at once.

import { retry, type RetryPolicy } from '../../retry.js';
import { defaultRetryPolicy } from '../retry.js';
import { isRetryable } from './errors.js';

export function withUploadRetries<T>(operation: () => Promise<T>, signal?: AbortSignal, policy: RetryPolicy = defaultRetryPolicy): Promise<T> {
  return retry(() => operation(), { policy, isRetryable: (err) => isRetryable(err), ...(signal === undefined ? {} : { signal }) });
}
