// S3 storage keys whose effect is in the requests the SDK builds: path_style (where the bucket goes)
// and session_token (a header of every signed request), seen by a middleware at the end of the
// SDK's stack, before anything is sent; and max_concurrent_uploads, counted as UploadPart requests
// in flight to MinIO.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Clients } from '../../../src/storage/s3/client.js';
import { createS3Context } from '../../../src/storage/s3/context.js';
import { S3Writer } from '../../../src/storage/s3/writer.js';
import { s3StorageSchema } from '../../../src/config/schema-storage.js';
import { createBucket, s3Config } from './helpers.js';

const MiB = 1024 * 1024;

interface Captured {
  hostname: string;
  path: string;
  headers: Record<string, string>;
}

/** The request `client` would send for a PutObject, captured after signing; nothing is sent. */
async function capturePut(client: S3Client): Promise<Captured> {
  let captured: Captured | undefined;
  const stop = new Error('captured');
  client.middlewareStack.add(
    () => async (args) => {
      const request = args.request as Captured;
      captured = { hostname: request.hostname, path: request.path, headers: { ...request.headers } };
      throw stop;
    },
    { step: 'deserialize', priority: 'low' },
  );
  await assert.rejects(client.send(new PutObjectCommand({ Bucket: 'acme-backups', Key: 'kafka/k', Body: 'x' })), (err) => err === stop);
  return captured!;
}

const config = (overrides: Record<string, unknown>) =>
  s3StorageSchema.parse({
    backend: 's3',
    bucket: 'acme-backups',
    endpoint: 'http://store.example.test:9000',
    region: 'eu-west-1',
    access_key_id: 'AKIAEXAMPLE',
    secret_access_key: 'example-secret',
    ...overrides,
  });

describe('S3 settings in the requests', () => {
  test('path_style: the bucket goes in the path, or (false) in the host name', async () => {
    const pathStyle = createS3Clients(config({ path_style: true }));
    const hostStyle = createS3Clients(config({ path_style: false }));
    try {
      const a = await capturePut(pathStyle.client);
      const b = await capturePut(hostStyle.client);
      assert.deepEqual([a.hostname, a.path], ['store.example.test', '/acme-backups/kafka/k']);
      assert.deepEqual([b.hostname, b.path], ['acme-backups.store.example.test', '/kafka/k']);
    } finally {
      pathStyle.destroy();
      hostStyle.destroy();
    }
  });

  test('session_token: every signed request carries it (temporary credentials)', async () => {
    const withToken = createS3Clients(config({ session_token: 'the-session-token' }));
    const without = createS3Clients(config({}));
    try {
      assert.equal((await capturePut(withToken.client)).headers['x-amz-security-token'], 'the-session-token');
      assert.equal((await capturePut(without.client)).headers['x-amz-security-token'], undefined);
    } finally {
      withToken.destroy();
      without.destroy();
    }
  });
});

describe('S3 settings against MinIO', () => {
  test('max_concurrent_uploads: at most that many parts of one upload are in flight', async () => {
    const bucket = await createBucket();
    try {
      const seen: number[] = [];
      for (const uploads of [1, 3]) {
        const context = createS3Context(
          s3Config(bucket.bucket, { multipart_threshold: 5 * MiB, multipart_part_size: 5 * MiB, max_concurrent_uploads: uploads }),
        );
        let inFlight = 0;
        let most = 0;
        context.clients.client.middlewareStack.add(
          (next, ctx) => async (args) => {
            if (ctx.commandName !== 'UploadPartCommand') return next(args);
            most = Math.max(most, ++inFlight);
            try {
              return await next(args);
            } finally {
              inFlight--;
            }
          },
          { step: 'deserialize', priority: 'low' },
        );
        try {
          const writer = new S3Writer(context, `parts-${uploads}`, `parts-${uploads}`);
          for (let i = 0; i < 30; i++) await writer.write(randomBytes(MiB));
          assert.equal((await writer.finish()).size, 30 * MiB);
        } finally {
          context.clients.destroy();
        }
        seen.push(most);
      }
      assert.deepEqual(seen, [1, 3]);
    } finally {
      await bucket.remove();
    }
  });
});
