// S3Client construction from the `storage` config (src/config/schema-storage.ts, S3StorageConfig).
//
// maxAttempts 1: the SDK does not retry. put/get/head/list/delete/sweep are retried by the retry
// decorator (src/storage/retry.ts), outside the concurrency limit, so a backoff never sleeps while
// holding a storage slot and attempts do not multiply; the streamed upload, which nothing above
// retries, retries its own requests (upload-retry.ts).
//
// Connection pool: one keep-alive http.Agent and one https.Agent with maxSockets = max_concurrency
// (0 = unlimited → 256), handed to the SDK's NodeHttpHandler through the `requestHandler` options
// object: the SDK builds its NodeHttpHandler (@smithy/node-http-handler) from it, so that package,
// not a dependency of ours, is never imported here. The semaphore caps calls, the pool caps
// sockets: a streamed upload's background parts hold no semaphore slot, so the pool is what bounds
// them (seed 002, KafScale #111).

import http from 'node:http';
import https from 'node:https';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { KafkaBackupError } from '../../errors.js';
import type { S3StorageConfig } from '../../config/schema-storage.js';

/** Sockets when max_concurrency is 0 (unlimited): generous, but still a bound. */
export const UNLIMITED_SOCKETS = 256;
/** A connection that cannot be opened in this time fails (retryable). */
const CONNECT_TIMEOUT_MS = 10_000;
/** A socket silent for this long fails the request (retryable); CompleteMultipartUpload may think a while. */
const SOCKET_IDLE_TIMEOUT_MS = 120_000;

/** The SDK warns on stderr when requests queue for a socket; with the pool as the cap that is by design. */
const quietLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export interface S3Clients {
  client: S3Client;
  /** For messages: where the bucket is looked for. */
  where: string;
  destroy(): void;
}

/** Key combinations zod cannot express; CONFIG_INVALID names the keys. */
export function checkS3Config(config: S3StorageConfig): void {
  const problems: string[] = [];
  if ((config.access_key_id === undefined) !== (config.secret_access_key === undefined)) {
    problems.push('access_key_id and secret_access_key must be given together');
  }
  if (config.session_token !== undefined && config.access_key_id === undefined) {
    problems.push('session_token needs access_key_id and secret_access_key');
  }
  if (config.sse_kms_key_id !== undefined && config.server_side_encryption !== 'aws:kms' && config.server_side_encryption !== 'aws:kms:dsse') {
    problems.push('sse_kms_key_id needs server_side_encryption aws:kms or aws:kms:dsse');
  }
  if (problems.length > 0) {
    throw new KafkaBackupError('CONFIG_INVALID', `invalid s3 storage config: ${problems.join('; ')}`, { problems });
  }
}

/** region, else us-east-1 with a custom endpoint, else undefined (the SDK's chain: AWS_REGION, ~/.aws/config). */
export function regionOf(config: S3StorageConfig): string | undefined {
  return config.region ?? (config.endpoint === undefined ? undefined : 'us-east-1');
}

export function createS3Clients(config: S3StorageConfig): S3Clients {
  checkS3Config(config);
  const maxSockets = config.max_concurrency === 0 ? UNLIMITED_SOCKETS : config.max_concurrency;
  const agentOptions = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  const region = regionOf(config);
  const checksum = config.request_checksum === 'when_required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED';
  const options: S3ClientConfig = {
    maxAttempts: 1,
    ...(region === undefined ? {} : { region }),
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    forcePathStyle: config.path_style,
    // A bucket in another region than the configured or default one: the SDK finds it (AWS only).
    followRegionRedirects: config.endpoint === undefined,
    requestChecksumCalculation: checksum,
    responseChecksumValidation: checksum,
    requestHandler: {
      httpAgent,
      httpsAgent,
      connectionTimeout: CONNECT_TIMEOUT_MS,
      socketTimeout: SOCKET_IDLE_TIMEOUT_MS,
      logger: quietLogger,
    },
  };
  if (config.access_key_id !== undefined && config.secret_access_key !== undefined) {
    options.credentials = {
      accessKeyId: config.access_key_id,
      secretAccessKey: config.secret_access_key,
      ...(config.session_token === undefined ? {} : { sessionToken: config.session_token }),
    };
  } // else: the SDK's default credential chain
  const client = new S3Client(options);
  const where = config.endpoint !== undefined ? `endpoint ${config.endpoint}` : `region ${region ?? 'from the AWS default chain'}`;
  return {
    client,
    where,
    destroy() {
      client.destroy();
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
