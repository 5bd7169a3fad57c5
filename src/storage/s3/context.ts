// What the pieces of the S3 backend (backend.ts, writer.ts, multipart.ts, list.ts) share: the
// clients, names, encryption parameters, upload sizes and error mapping of one configured bucket.

import type { ServerSideEncryption } from '@aws-sdk/client-s3';
import type { KafkaBackupError } from '../../errors.js';
import type { S3StorageConfig } from '../../config/schema-storage.js';
import { createS3Clients, type S3Clients } from './client.js';
import { mapS3Error, type S3Verb } from './errors.js';
import { S3Names } from './naming.js';

/** Parameters every PutObject and CreateMultipartUpload carries (server_side_encryption, sse_kms_key_id). */
export interface EncryptionParams {
  ServerSideEncryption?: ServerSideEncryption;
  SSEKMSKeyId?: string;
}

export interface UploadSizes {
  /** Objects up to this size: one PutObject. */
  threshold: number;
  partSize: number;
  /** Parts of one upload in flight at once. */
  queueSize: number;
}

export interface S3Context {
  readonly bucket: string;
  readonly names: S3Names;
  readonly location: string;
  readonly clients: S3Clients;
  readonly encryption: EncryptionParams;
  /** request_checksum when_supported: multipart uploads declare CRC32 like lib-storage does. */
  readonly checksums: boolean;
  readonly upload: UploadSizes;
  fail(err: unknown, verb: S3Verb, key?: string): KafkaBackupError;
}

export function createS3Context(config: S3StorageConfig): S3Context {
  const clients = createS3Clients(config);
  const names = new S3Names(config.bucket, config.prefix);
  const encryption: EncryptionParams = {
    ...(config.server_side_encryption === undefined ? {} : { ServerSideEncryption: config.server_side_encryption }),
    ...(config.sse_kms_key_id === undefined ? {} : { SSEKMSKeyId: config.sse_kms_key_id }),
  };
  const { bucket } = config;
  const { location } = names;
  return {
    bucket,
    names,
    location,
    clients,
    encryption,
    checksums: config.request_checksum === 'when_supported',
    upload: {
      threshold: config.multipart_threshold,
      partSize: config.multipart_part_size,
      queueSize: config.max_concurrent_uploads,
    },
    fail: (err, verb, key) => mapS3Error(err, { verb, bucket, location, where: clients.where, ...(key === undefined ? {} : { key }) }),
  };
}
