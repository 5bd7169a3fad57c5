// GCS backend behaviour beyond the conformance suite: prefix mapping, paged listing, location,
// config checks, and what a missing bucket or refused credentials look like.

import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { isKafkaBackupError } from '../../../src/errors.js';
import type { ObjectInfo, StorageBackend } from '../../../src/storage/backend.js';
import { GcsBackend, createGcsBackend } from '../../../src/storage/gcs/backend.js';
import { compareKeys } from '../../../src/storage/keys.js';
import { assertStorageError, listAll } from '../../conformance/storage-backend.suite.js';
import { createBucket, gcsConfig, objectNames, removeBucket, uniqueBucketName } from './emulator.js';

async function withBucket(body: (bucket: string) => Promise<void>): Promise<void> {
  const bucket = await createBucket();
  try {
    await body(bucket);
  } finally {
    await removeBucket(bucket);
  }
}

async function withBackend(backend: StorageBackend, body: (b: StorageBackend) => Promise<void>): Promise<void> {
  try {
    await body(backend);
  } finally {
    await backend.close();
  }
}

/** Runs fn over items with at most `width` in flight. */
async function inParallel<T>(items: T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  assert.fail('expected a rejection');
}

describe('GCS backend: prefix and location', () => {
  test('keys live under "<prefix>/" with or without a trailing slash; list strips it; location is gs://bucket/prefix', async () => {
    await withBucket(async (bucket) => {
      const plain = createGcsBackend(gcsConfig(bucket));
      const slash = createGcsBackend(gcsConfig(bucket, { prefix: 'kafka/prod/' }));
      const bare = createGcsBackend(gcsConfig(bucket, { prefix: 'kafka/prod' }));
      try {
        assert.equal(plain.kind, 'gcs');
        assert.equal(plain.location, `gs://${bucket}`);
        assert.equal(slash.location, `gs://${bucket}/kafka/prod`);
        assert.equal(bare.location, `gs://${bucket}/kafka/prod`);
        await slash.put('a/b', Buffer.from('1'));
        await bare.put('a/c', Buffer.from('2'));
        await plain.put('kafka/prod-x/d', Buffer.from('3'));
        assert.deepEqual(await objectNames(bucket), ['kafka/prod-x/d', 'kafka/prod/a/b', 'kafka/prod/a/c']);
        for (const b of [slash, bare]) {
          assert.deepEqual((await listAll(b, '')).map((i) => i.key), ['a/b', 'a/c']);
          assert.equal((await b.get('a/c')).toString(), '2');
          assert.equal(await b.head('kafka/prod-x/d'), undefined);
        }
        assert.deepEqual((await listAll(plain, 'kafka/prod')).map((i) => i.key), ['kafka/prod-x/d', 'kafka/prod/a/b', 'kafka/prod/a/c']);
      } finally {
        await Promise.all([plain.close(), slash.close(), bare.close()]);
      }
    });
  });

  test('chunk_size must be a multiple of 256 KiB (CONFIG_INVALID)', () => {
    assert.throws(() => createGcsBackend(gcsConfig('any-bucket', { chunk_size: 300_000 })), (err: unknown) => {
      assert.ok(isKafkaBackupError(err, 'CONFIG_INVALID'));
      assert.match(err.message, /chunk_size.*256 KiB/);
      return true;
    });
  });
});

describe('GCS backend: listing', () => {
  test('pages of a small page size arrive in order and add up to list()', async () => {
    await withBucket(async (bucket) => {
      await withBackend(new GcsBackend(gcsConfig(bucket, { prefix: 'p' }), { listPageSize: 7 }), async (b) => {
        const keys = Array.from({ length: 30 }, (_, i) => `k/${String(i).padStart(3, '0')}`);
        await inParallel(keys, 8, (k) => b.put(k, Buffer.from(k)));
        const pages: ObjectInfo[][] = [];
        for await (const page of (b as GcsBackend).listPages('k/')) pages.push(page);
        assert.deepEqual(pages.map((p) => p.length), [7, 7, 7, 7, 2]);
        assert.deepEqual(pages.flat().map((i) => i.key), keys);
        assert.deepEqual(await listAll(b, 'k/'), pages.flat());
      });
    });
  });

  test('more than 1000 objects: two pages at the default page size', async () => {
    await withBucket(async (bucket) => {
      await withBackend(new GcsBackend(gcsConfig(bucket)), async (b) => {
        const keys = Array.from({ length: 1003 }, (_, i) => `many/${String(i).padStart(5, '0')}`);
        await inParallel(keys, 32, (k) => b.put(k, Buffer.alloc(1)));
        const sizes: number[] = [];
        for await (const page of (b as GcsBackend).listPages('many/')) sizes.push(page.length);
        assert.deepEqual(sizes, [1000, 3]);
        assert.deepEqual((await listAll(b, 'many/')).map((i) => i.key), keys);
      });
    });
  });

  test('order is by UTF-8 bytes (compareKeys), also above U+FFFF', async () => {
    await withBucket(async (bucket) => {
      await withBackend(createGcsBackend(gcsConfig(bucket)), async (b) => {
        const keys = ['u/\u{1F600}', 'u/\uFFFD', 'u/\u00e9', 'u/z', 'u/A'];
        for (const k of keys) await b.put(k, Buffer.from(k));
        assert.deepEqual((await listAll(b, 'u/')).map((i) => i.key), [...keys].sort(compareKeys));
      });
    });
  });
});

describe('GCS backend: a missing bucket', () => {
  test('every call fails with STORAGE_NOT_FOUND naming gcs and the bucket; head does not answer "absent"', async () => {
    const bucket = uniqueBucketName();
    await withBackend(createGcsBackend(gcsConfig(bucket, { chunk_size: 256 * 1024 })), async (b) => {
      const big = b.createWriter('w/big');
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['get', () => b.get('x/y')],
        ['ranged get', () => b.get('x/y', { start: 0, end: 1 })],
        ['head', () => b.head('x/y')],
        ['delete', () => b.delete('x/y')],
        ['put', () => b.put('x/y', Buffer.from('v'))],
        ['conditional put', () => b.put('x/y', Buffer.from('v'), { ifNoneMatch: true })],
        ['list', () => listAll(b, '')],
        ['small writer', async () => b.createWriter('w/small').finish()],
        ['resumable writer', async () => {
          await big.write(Buffer.alloc(600 * 1024));
          return big.finish();
        }],
      ];
      for (const [what, call] of calls) {
        const err = await rejection(call());
        assert.ok(isKafkaBackupError(err, 'STORAGE_NOT_FOUND'), `${what}: ${String(err)}`);
        assert.match(err.message, new RegExp(`gcs bucket "${bucket}" does not exist`), what);
      }
    });
  });
});

describe('GCS backend: credentials', () => {
  test('credentials refused by the token service: STORAGE_PERMISSION naming gcs, the bucket and key_file', async () => {
    // An external_account (workload identity) key file, whose token exchange goes to the
    // token_url it names: here a local stand-in for Google's STS that refuses the subject token
    // exactly as STS does. Storage itself is the real emulator, reached with auth enabled
    // (a key_file turns on useAuthWithCustomEndpoint).
    let exchanges = 0;
    const sts = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        exchanges++;
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'invalid_grant', error_description: 'The audience in ID Token does not match the expected audience.' }));
      });
    });
    await new Promise<void>((resolve) => sts.listen(0, '127.0.0.1', resolve));
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kb-gcs-cred-'));
    try {
      const keyFile = path.join(dir, 'key.json');
      await fs.writeFile(path.join(dir, 'subject-token'), 'not-a-valid-token');
      await fs.writeFile(keyFile, JSON.stringify({
        type: 'external_account',
        audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/x',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        token_url: `http://127.0.0.1:${(sts.address() as AddressInfo).port}/v1/token`,
        credential_source: { file: path.join(dir, 'subject-token') },
      }));
      await withBucket(async (bucket) => {
        await withBackend(createGcsBackend(gcsConfig(bucket, { key_file: keyFile })), async (b) => {
          for (const call of [() => b.get('a'), () => b.head('a'), () => b.put('a', Buffer.from('x')), () => listAll(b, '')]) {
            const err = await rejection(call());
            assert.ok(isKafkaBackupError(err, 'STORAGE_PERMISSION'), String(err));
            assert.equal(err.retryable, false);
            assert.match(err.message, new RegExp(`^gcs: no valid credentials for bucket "${bucket}"`));
            assert.match(err.message, /invalid_grant/);
            assert.match(err.message, /check storage\.key_file/);
            assert.ok(err.cause !== undefined);
          }
        });
      });
      assert.ok(exchanges >= 4, 'the token exchange was attempted');

      const missing = path.join(dir, 'no-such-key.json');
      await withBackend(createGcsBackend(gcsConfig('some-bucket', { key_file: missing })), async (b) => {
        const err = await rejection(b.head('a'));
        assert.ok(isKafkaBackupError(err, 'STORAGE_PERMISSION'), String(err));
        assert.match(err.message, /no-such-key\.json/);
        assert.match(err.message, /gcs: .*"some-bucket"/);
      });
    } finally {
      sts.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('an etag that is not a generation cannot match: STORAGE_PRECONDITION', async () => {
    await withBucket(async (bucket) => {
      await withBackend(createGcsBackend(gcsConfig(bucket)), async (b) => {
        const info = await b.put('e/x', Buffer.from('1'));
        assert.match(info.etag, /^[0-9]+$/);
        await assertStorageError(b.put('e/x', Buffer.from('2'), { ifMatch: '"d41d8cd98f00b204e9800998ecf8427e"' }), 'STORAGE_PRECONDITION');
        assert.equal((await b.get('e/x')).toString(), '1');
      });
    });
  });
});
