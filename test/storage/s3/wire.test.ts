// What the S3 backend puts on the wire for server_side_encryption, sse_kms_key_id and
// request_checksum. MinIO without a KMS refuses every encrypted write, so the headers are checked
// on a local HTTP server that records each request and refuses it (400, an S3 error document);
// MinIO is used to show the encryption header reaches a real server.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { isKafkaBackupError } from '../../../src/errors.js';
import { S3Backend } from '../../../src/storage/s3/backend.js';
import { createBucket, s3Config } from './helpers.js';

const MiB = 1024 * 1024;

interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

async function withRecorder(body: (endpoint: string, requests: Recorded[]) => Promise<void>): Promise<void> {
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => {
      res.writeHead(400, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidRequest</Code><Message>recorded</Message></Error>');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const kms = { server_side_encryption: 'aws:kms', sse_kms_key_id: 'arn:aws:kms:us-east-1:111122223333:key/test' };

describe('S3 request headers', () => {
  test('put: encryption headers; CRC32 checksum only with request_checksum when_supported', () =>
    withRecorder(async (endpoint, requests) => {
      for (const request_checksum of ['when_supported', 'when_required']) {
        const backend = new S3Backend(s3Config('rec-bucket', { endpoint, request_checksum, ...kms }));
        await assert.rejects(backend.put('k', Buffer.from('data'), { ifNoneMatch: true }), (err: unknown) => isKafkaBackupError(err, 'STORAGE_IO'));
        await backend.close();
        const put = requests.pop();
        assert.equal(put?.method, 'PUT');
        assert.match(put?.url ?? '', /^\/rec-bucket\/k\?x-id=PutObject$/);
        assert.equal(put?.headers['x-amz-server-side-encryption'], 'aws:kms');
        assert.equal(put?.headers['x-amz-server-side-encryption-aws-kms-key-id'], kms.sse_kms_key_id);
        assert.equal(put?.headers['if-none-match'], '*');
        assert.equal(put?.headers['x-amz-checksum-crc32'] !== undefined, request_checksum === 'when_supported', request_checksum);
      }
    }));

  test('streamed upload: the small-object PutObject and CreateMultipartUpload carry the encryption headers', () =>
    withRecorder(async (endpoint, requests) => {
      const backend = new S3Backend(s3Config('rec-bucket', { endpoint, server_side_encryption: 'AES256', multipart_threshold: 5 * MiB }));
      try {
        const small = backend.createWriter('small');
        await small.write(Buffer.from('tiny'));
        await assert.rejects(small.finish());
        const put = requests.at(-1);
        assert.equal(put?.method, 'PUT');
        assert.equal(put?.headers['x-amz-server-side-encryption'], 'AES256');

        const big = backend.createWriter('big');
        await assert.rejects(big.write(Buffer.alloc(5 * MiB + 1)));
        const create = requests.at(-1);
        assert.equal(create?.method, 'POST');
        assert.match(create?.url ?? '', /^\/rec-bucket\/big\?uploads/);
        assert.equal(create?.headers['x-amz-server-side-encryption'], 'AES256');
        assert.equal(create?.headers['x-amz-checksum-algorithm'], 'CRC32');
        await big.abort();
      } finally {
        await backend.close();
      }
    }));

  test('MinIO without a KMS refuses an encrypted put: the header reached the server', async () => {
    const bucket = await createBucket();
    const backend = new S3Backend(s3Config(bucket.bucket, { server_side_encryption: 'AES256' }));
    try {
      await assert.rejects(backend.put('k', Buffer.from('x')), (err: unknown) => {
        assert.ok(isKafkaBackupError(err, 'STORAGE_IO'));
        assert.match(err.message, /NotImplemented.*KMS/);
        assert.equal(err.retryable, false);
        return true;
      });
      assert.deepEqual(await bucket.names(), []);
    } finally {
      await backend.close();
      await bucket.remove();
    }
  });
});
