// S3 backend behaviour beyond the conformance suite, against MinIO: the config prefix, listings of
// more than one page, the multipart_threshold decision, and sweeping uploads of crashed writers.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { ObjectInfo } from '../../../src/storage/backend.js';
import { compareKeys } from '../../../src/storage/keys.js';
import { S3Backend } from '../../../src/storage/s3/backend.js';
import { assertStorageError, listAll } from '../../conformance/storage-backend.suite.js';
import { createBucket, s3Config, type TestBucket } from './helpers.js';

const MiB = 1024 * 1024;

async function withBucket(body: (bucket: TestBucket) => Promise<void>): Promise<void> {
  const bucket = await createBucket();
  try {
    await body(bucket);
  } finally {
    await bucket.remove();
  }
}

async function writeAll(backend: S3Backend, key: string, data: Buffer, chunk = 64 * 1024): Promise<ObjectInfo> {
  const writer = backend.createWriter(key);
  for (let at = 0; at < data.length; at += chunk) await writer.write(data.subarray(at, at + chunk));
  return writer.finish();
}

describe('S3Backend specifics (MinIO)', () => {
  test('kind and location; the config prefix is joined with one slash and stripped in listings', () =>
    withBucket(async ({ bucket, admin, names }) => {
      const root = new S3Backend(s3Config(bucket));
      const backend = new S3Backend(s3Config(bucket, { prefix: 'kafka/prod/' }));
      try {
        assert.equal(root.kind, 's3');
        assert.equal(root.location, `s3://${bucket}`);
        assert.equal(backend.location, `s3://${bucket}/kafka/prod`);
        await backend.put('t/a', Buffer.from('a'));
        await backend.put('t-b', Buffer.from('b'));
        // Neighbours the prefixed backend must not see: a sibling prefix, the parent, a directory marker.
        for (const Key of ['kafka/prod-other/x', 'kafka/x', 'kafka/prod/t/', 'kafka/prodx']) {
          await admin.send(new PutObjectCommand({ Bucket: bucket, Key, Body: '' }));
        }
        assert.deepEqual(await names(), ['kafka/prod-other/x', 'kafka/prod/t-b', 'kafka/prod/t/', 'kafka/prod/t/a', 'kafka/prodx', 'kafka/x']);
        assert.deepEqual((await listAll(backend, '')).map((i) => i.key), ['t-b', 't/a']);
        assert.deepEqual((await listAll(backend, 't/')).map((i) => i.key), ['t/a']);
        assert.equal((await backend.get('t/a')).toString(), 'a');
        assert.deepEqual((await listAll(root, 'kafka/prod/')).map((i) => i.key), ['kafka/prod/t-b', 'kafka/prod/t/a'], 'markers are skipped');
        await assertStorageError(backend.get('x'), 'STORAGE_NOT_FOUND');
      } finally {
        await root.close();
        await backend.close();
      }
    }));

  test('a listing of 1050 objects arrives in pages of at most 1000, in key order', () =>
    withBucket(async ({ bucket }) => {
      const backend = new S3Backend(s3Config(bucket, { prefix: 'p' }));
      try {
        const keys = Array.from({ length: 1050 }, (_, i) => `many/${(i * 7919) % 1050}-${i % 3 === 0 ? 'x' : 'y'}`);
        for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => backend.put(k, Buffer.from(k))));
        await backend.put('other', Buffer.from('o'));
        const pages: string[][] = [];
        for await (const page of backend.listPages('many/')) pages.push(page.map((i) => i.key));
        assert.ok(pages.length >= 2, `${pages.length} pages`);
        assert.ok(pages.every((p) => p.length <= 1000));
        assert.deepEqual(pages.flat(), [...keys].sort(compareKeys));
        assert.equal((await listAll(backend, '')).length, 1051);
      } finally {
        await backend.close();
      }
    }));

  test('multipart_threshold decides: up to it one PutObject, past it parts of multipart_part_size', () =>
    withBucket(async ({ bucket, uploads }) => {
      const backend = new S3Backend(s3Config(bucket, { multipart_threshold: 6 * MiB, multipart_part_size: 5 * MiB }));
      try {
        const exact = await writeAll(backend, 'w/exact', randomBytes(6 * MiB));
        assert.doesNotMatch(exact.etag, /-\d+"$/, 'an object of exactly the threshold is one PutObject');
        const data = randomBytes(16 * MiB + 5);
        const big = await writeAll(backend, 'w/big', data);
        assert.match(big.etag, /-4"$/, '16 MiB + 5 in 5 MiB parts is 4 parts');
        assert.deepEqual(await backend.head('w/big'), big);
        assert.ok((await backend.get('w/big')).equals(data));
        assert.deepEqual(await uploads(), []);
      } finally {
        await backend.close();
      }
    }));

  test('abort of a writer past the threshold removes its multipart upload', () =>
    withBucket(async ({ bucket, uploads, names }) => {
      const backend = new S3Backend(s3Config(bucket, { multipart_threshold: 5 * MiB, multipart_part_size: 5 * MiB }));
      try {
        const writer = backend.createWriter('seg/aborted');
        for (let i = 0; i < 12; i++) await writer.write(randomBytes(MiB));
        assert.deepEqual(await uploads(), ['seg/aborted'], 'the upload exists on the server');
        await writer.abort();
        assert.deepEqual(await uploads(), []);
        assert.deepEqual(await names(), []);
      } finally {
        await backend.close();
      }
    }));

  test('a crashed writer leaves an upload: never listed, swept when old enough and under the prefix', () =>
    withBucket(async ({ bucket, uploads }) => {
      const backend = new S3Backend(s3Config(bucket, { prefix: 'root', multipart_threshold: 5 * MiB, multipart_part_size: 5 * MiB }));
      const neighbour = new S3Backend(s3Config(bucket, { prefix: 'rootless', multipart_threshold: 5 * MiB, multipart_part_size: 5 * MiB }));
      try {
        await backend.put('seg/done', Buffer.from('done'));
        const crashed = backend.createWriter('seg/crashed');
        await crashed.write(randomBytes(6 * MiB));
        const other = neighbour.createWriter('seg/crashed');
        await other.write(randomBytes(6 * MiB));
        assert.deepEqual(await uploads(), ['root/seg/crashed', 'rootless/seg/crashed']);
        assert.deepEqual((await listAll(backend, '')).map((i) => i.key), ['seg/done']);
        assert.equal(await backend.sweepTemporaryFiles(60_000), 0, 'a fresh upload is kept');
        assert.equal(await backend.sweepTemporaryFiles(0, 'other/'), 0, 'outside the sweep prefix');
        assert.equal(await backend.sweepTemporaryFiles(0, 'seg/'), 1);
        assert.deepEqual(await uploads(), ['rootless/seg/crashed'], "the neighbour prefix's upload is not touched");
        await crashed.abort(); // the upload is already gone: still fine
        await other.abort();
        assert.deepEqual(await uploads(), []);
        assert.equal((await backend.get('seg/done')).toString(), 'done');
      } finally {
        await backend.close();
        await neighbour.close();
      }
    }));

  test('empty ranges: a missing object is STORAGE_NOT_FOUND, an empty object gives 0 bytes', () =>
    withBucket(async ({ bucket }) => {
      const backend = new S3Backend(s3Config(bucket));
      try {
        await assertStorageError(backend.get('none', { start: 0, end: 0 }), 'STORAGE_NOT_FOUND');
        await backend.put('empty', Buffer.alloc(0));
        assert.equal((await backend.get('empty', { start: 0, end: 0 })).length, 0);
        assert.equal((await backend.get('empty')).length, 0);
        await assertStorageError(backend.get('empty', { start: 0, end: 1 }), 'STORAGE_IO');
        await assertStorageError(backend.get('empty', { start: 1, end: 1 }), 'STORAGE_IO');
        await assertStorageError(backend.get('empty', { start: 2, end: 1 }), 'INTERNAL');
      } finally {
        await backend.close();
      }
    }));
});
