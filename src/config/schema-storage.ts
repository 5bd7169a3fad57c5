// The `storage` section: one strict object per backend, told apart by `backend`. Every variant
// carries the process-wide `max_concurrency`. Cloud credentials are optional: without them each
// SDK's default chain applies (environment, shared files, instance or workload identity).

import { z } from 'zod';
import { byteSize, int } from './schema-helpers.js';
import { secret } from './secret-mark.js';

const MiB = 1024 * 1024;

const storageCommon = {
  max_concurrency: int(0)
    .default(16)
    .describe(
      'Process-wide cap on concurrent storage operations (writes, reads, lists, deletes), shared by backup and restore; 0 means unlimited.',
    ),
};

const prefix = z
  .string()
  .regex(/^(?!\/)(?!.*\/\/)[^\\]*$/, { error: 'a key prefix such as "kafka/prod": no leading slash, no "//", no backslash' })
  .default('')
  .describe('Key prefix inside the bucket or container under which backups are stored (e.g. "kafka/prod").');

export const filesystemStorageSchema = z.strictObject({
  backend: z.literal('filesystem').describe('Store backups in a local or mounted directory.'),
  path: z.string().min(1).describe("Directory holding the backups; relative paths are resolved against the config file's directory."),
  permissions: z
    .enum(['private', 'group', 'umask'])
    .default('private')
    .describe(
      'Modes of the files and directories kafka-backup creates (backups, manifests, restore states, temp and lock files): ' +
        'private = owner only (files 0600, directories 0700), group = the group may read too (0640, 0750), ' +
        'umask = 0666/0777 less the process umask (0644/0755 under the usual 022: world-readable). Existing files are not changed.',
    ),
  ...storageCommon,
});

export const s3StorageSchema = z.strictObject({
  backend: z.literal('s3').describe('Amazon S3 or an S3-compatible store (MinIO, Ceph, R2, ...).'),
  bucket: z.string().min(3).max(63).describe('Bucket name; the bucket must exist.'),
  region: z.string().min(1).optional().describe('AWS region (default: the SDK default chain, or us-east-1 with a custom endpoint).'),
  prefix,
  endpoint: z.url().optional().describe('Endpoint URL of an S3-compatible store, e.g. http://minio:9000.'),
  path_style: z.boolean().default(false).describe('Path-style addressing (bucket in the path, not the host name); most S3-compatible stores need it.'),
  access_key_id: z.string().min(1).optional().describe('Access key id; without it the AWS SDK default credential chain is used.'),
  secret_access_key: z.string().min(1).optional().meta(secret).describe('Secret access key; write it as ${VAR}.'),
  session_token: z.string().min(1).optional().meta(secret).describe('Session token for temporary credentials.'),
  server_side_encryption: z
    .enum(['AES256', 'aws:kms', 'aws:kms:dsse'])
    .optional()
    .describe('Server-side encryption of stored objects.'),
  sse_kms_key_id: z.string().min(1).optional().describe('KMS key id or ARN; only with server_side_encryption aws:kms or aws:kms:dsse.'),
  multipart_threshold: byteSize(5 * MiB, 5 * 1024 * MiB)
    .default(16 * MiB)
    .describe('Objects up to this size are written with one PUT; larger ones with a multipart upload.'),
  multipart_part_size: byteSize(5 * MiB, 5 * 1024 * MiB)
    .default(8 * MiB)
    .describe('Size of each part of a multipart upload (S3 minimum 5 MiB). Memory per upload is about part size × max_concurrent_uploads.'),
  max_concurrent_uploads: int(1, 64).default(4).describe('Parts of one object uploaded at the same time.'),
  request_checksum: z
    .enum(['when_supported', 'when_required'])
    .default('when_supported')
    .describe('Whether the SDK adds CRC checksums to every upload (when_supported, the AWS default) or only where S3 requires them (for S3-compatible stores that reject them).'),
  ...storageCommon,
});

export const azureStorageSchema = z.strictObject({
  backend: z.literal('azure').describe('Azure Blob Storage (block blobs).'),
  container: z.string().min(3).max(63).describe('Container name; the container must exist.'),
  prefix,
  account_name: z.string().min(1).optional().describe('Storage account name (not needed with connection_string or endpoint).'),
  account_key: z.string().min(1).optional().meta(secret).describe('Shared key of the account; write it as ${VAR}.'),
  sas_token: z.string().min(1).optional().meta(secret).describe('A SAS token granting access to the container.'),
  connection_string: z.string().min(1).optional().meta(secret).describe('A full storage connection string; write it as ${VAR}.'),
  endpoint: z.url().optional().describe('Blob service URL (default https://<account_name>.blob.core.windows.net); for sovereign clouds or Azurite.'),
  block_size: byteSize(1 * MiB, 4000 * MiB).default(8 * MiB).describe('Size of each staged block of a large upload.'),
  max_concurrent_uploads: int(1, 64).default(4).describe('Blocks of one blob uploaded at the same time.'),
  ...storageCommon,
});

export const gcsStorageSchema = z.strictObject({
  backend: z.literal('gcs').describe('Google Cloud Storage.'),
  bucket: z.string().min(3).max(222).describe('Bucket name; the bucket must exist.'),
  prefix,
  key_file: z.string().min(1).optional().describe("Service account key file (JSON); without it Application Default Credentials are used. Relative to the config file's directory."),
  endpoint: z.url().optional().describe('API endpoint, e.g. a fake-gcs-server URL; default: Google.'),
  chunk_size: byteSize(256 * 1024, 1024 * MiB)
    .refine((n) => n % (256 * 1024) === 0, { error: 'must be a multiple of 256 KiB (262144 bytes)' })
    .default(8 * MiB)
    .describe('Chunk size of resumable uploads (a multiple of 256 KiB); memory per upload is about one chunk.'),
  ...storageCommon,
});

/**
 * The backends a config may name. A backend joins this list (and the union below) in the same
 * change that makes it work end to end; until then its schema above is only the contract its
 * implementation is written against.
 */
export const storageBackends = ['filesystem', 's3', 'azure', 'gcs'] as const;

export const storageSchema = z.discriminatedUnion('backend', [filesystemStorageSchema, s3StorageSchema, azureStorageSchema, gcsStorageSchema], {
  error: (iss) => {
    if (iss.code !== 'invalid_union') return undefined;
    const backend = (iss.input as { backend?: unknown } | undefined)?.backend;
    const expected = `expected ${storageBackends.join(', ')}`;
    return backend === undefined ? `required (${expected})` : `unknown backend ${JSON.stringify(backend)} (${expected})`;
  },
});

export type S3StorageConfig = z.output<typeof s3StorageSchema>;
export type AzureStorageConfig = z.output<typeof azureStorageSchema>;
export type GcsStorageConfig = z.output<typeof gcsStorageSchema>;
