// Builds the @google-cloud/storage client from the `storage` config (src/config/schema-storage.ts).
//
// Every config key is used here or in backend.ts:
//   bucket, prefix      backend.ts (key "a/b" is the object "<prefix>/a/b")
//   key_file            keyFilename (the config loader resolves a relative path); without it the
//                       SDK uses Application Default Credentials
//   endpoint            apiEndpoint. With a custom endpoint the SDK sends no credentials unless
//                       useAuthWithCustomEndpoint: we set it when a key_file is given or the host
//                       is Google's (a regional or Private Service Connect *.googleapis.com
//                       endpoint), so an emulator works without credentials and a real endpoint
//                       with them. (SDK limit: resumable-upload requests to a host that is not
//                       Google's never carry credentials, useAuthWithCustomEndpoint or not.)
//   chunk_size          writer.ts (resumable upload chunkSize)
//   max_concurrency     http-pool.ts (keep-alive agents with maxSockets = max_concurrency)
//
// The SDK's own retries are off (autoRetry: false): withRetries (src/storage/retry.ts) retries
// whole calls with our backoff, and retrying twice over would multiply attempts and hide failures
// behind the SDK's 600 s default. That includes resumable-upload chunk retries: the default
// idempotency strategy skips them for unconditional uploads anyway, and fake-gcs-server answers the
// SDK's resume query by committing a truncated object (docs/testing.md); a failed chunk fails the
// writer, and the pipeline redoes its segment.

import { Storage, type StorageOptions } from '@google-cloud/storage';
import type { GcsStorageConfig } from '../../config/schema-storage.js';
import { nativeCrc32cGenerator } from './crc32c.js';
import { acquireAgents, gcsAgentOption, type GcsAgents } from './http-pool.js';

/**
 * Timeout of each SDK request until its response arrives: a simple upload (up to chunk_size) or
 * one chunk of a resumable upload must be sent within it. (Without one, the SDK waits forever.)
 */
export const requestTimeoutMs = 120_000;

export interface GcsClient {
  storage: Storage;
  agents: GcsAgents;
  /** https://storage.googleapis.com or the configured endpoint, without a trailing slash. */
  apiEndpoint: string;
  /** Headers authorizing a request of our own (download.ts); none when the SDK sends no credentials. */
  authHeaders(): Promise<Record<string, string>>;
}

export function isGoogleHost(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === 'googleapis.com' || host.endsWith('.googleapis.com');
}

export function createGcsClient(config: GcsStorageConfig): GcsClient {
  const agents = acquireAgents(config.max_concurrency);
  const options: StorageOptions = {
    retryOptions: { autoRetry: false },
    crc32cGenerator: nativeCrc32cGenerator,
    timeout: requestTimeoutMs,
    ...(config.key_file === undefined ? {} : { keyFilename: config.key_file }),
    ...(config.endpoint === undefined
      ? {}
      : {
          apiEndpoint: config.endpoint,
          useAuthWithCustomEndpoint: config.key_file !== undefined || isGoogleHost(config.endpoint),
        }),
  };
  const storage = new Storage(options);
  const authenticated = config.endpoint === undefined || options.useAuthWithCustomEndpoint === true;
  const agent = gcsAgentOption(agents);
  if (agent !== undefined) {
    // Reaches the resumable-upload requests (gaxios); teeny-request ignores `agent` (see http-pool.ts).
    // (The SDK types `agent` as an Agent; gaxios and node-fetch also take a function of the URL.)
    storage.interceptors.push({ request: (reqOpts) => ({ ...reqOpts, agent, timeout: requestTimeoutMs }) as unknown as never });
  }
  const authHeaders = async (): Promise<Record<string, string>> => {
    if (!authenticated) return {};
    return { ...(await storage.authClient.getRequestHeaders()) };
  };
  return { storage, agents, apiEndpoint: storage.apiEndpoint, authHeaders };
}
