// The behaviour every StorageBackend must have. Each backend's test file calls
// defineStorageBackendSuite() with a factory for a fresh, empty backend; the tests use only the
// StorageBackend interface, so S3, Azure and GCS run exactly this file against their emulators.
// Which failures each backend marks retryable is checked too (storage-retryable.ts).

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { type ErrorCode, isKafkaBackupError } from '../../src/errors.js';
import type { ObjectInfo, StorageBackend } from '../../src/storage/backend.js';
import { type Check, type CheckAt, defineRetryabilityChecks } from './storage-retryable.js';

export interface BackendUnderTest {
  backend: StorageBackend;
  /** Removes whatever the backend stored (temp directory, bucket). */
  cleanup(): Promise<void>;
  /**
   * A backend talking to a server: the same backend (kind, prefix, credentials) pointed at
   * `endpoint` (http://host:port) instead of its store, for the network-fault retryability checks.
   */
  at?(endpoint: string): StorageBackend;
}

const MiB = 1024 * 1024;

export async function assertStorageError(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isKafkaBackupError(err), `expected a KafkaBackupError, got ${String(err)}`);
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    return true;
  });
}

export async function listAll(backend: StorageBackend, prefix: string): Promise<ObjectInfo[]> {
  const infos: ObjectInfo[] = [];
  for await (const info of backend.list(prefix)) infos.push(info);
  return infos;
}

async function keys(backend: StorageBackend, prefix: string): Promise<string[]> {
  return (await listAll(backend, prefix)).map((info) => info.key);
}

/**
 * `network`: the backend talks to a server, so every factory result has `at` and the suite also
 * checks how it marks network faults; a local backend (filesystem, memory) has no such checks.
 */
export function defineStorageBackendSuite(name: string, factory: () => Promise<BackendUnderTest>, options: { network?: boolean } = {}): void {
  const check = (title: string, body: (backend: StorageBackend) => Promise<void>): void => {
    test(title, async () => {
      const { backend, cleanup } = await factory();
      try {
        await body(backend);
      } finally {
        await backend.close();
        await cleanup();
      }
    });
  };

  const checkAt: CheckAt | undefined = options.network !== true ? undefined : (title, body) => {
    test(title, async () => {
      const { backend, cleanup, at } = await factory();
      try {
        assert.ok(at !== undefined, 'a network backend under test gives `at`');
        await body(at);
      } finally {
        await backend.close();
        await cleanup();
      }
    });
  };

  describe(`StorageBackend conformance: ${name}`, () => {
    check('put/get round trip: empty, 1 byte, 3 MiB binary; put and head report the same info', async (b) => {
      for (const [key, data] of [
        ['rt/empty', Buffer.alloc(0)],
        ['rt/one', Buffer.from([0xff])],
        ['rt/big.bin', randomBytes(3 * MiB)],
      ] as const) {
        const info = await b.put(key, data);
        assert.equal(info.key, key);
        assert.equal(info.size, data.length);
        assert.deepEqual(await b.head(key), info);
        assert.ok((await b.get(key)).equals(data), `content of ${key}`);
      }
    });

    check('overwrite replaces the content; concurrent readers see old or new, never a mix', async (b) => {
      const first = randomBytes(MiB);
      const second = randomBytes(MiB + 17);
      await b.put('ow/obj', first);
      const readers = Array.from({ length: 20 }, () => b.get('ow/obj'));
      const writers = Array.from({ length: 20 }, (_, i) => b.put('ow/obj', i % 2 === 0 ? second : first));
      await Promise.all(writers);
      for (const seen of await Promise.all(readers)) assert.ok(seen.equals(first) || seen.equals(second));
      await b.put('ow/obj', second);
      assert.ok((await b.get('ow/obj')).equals(second));
      assert.equal((await b.head('ow/obj'))?.size, second.length);
    });

    check('get of a missing object: STORAGE_NOT_FOUND naming the key', async (b) => {
      await assertStorageError(b.get('missing/object'), 'STORAGE_NOT_FOUND');
      await b.get('missing/object').catch((err: Error) => assert.match(err.message, /missing\/object/));
      await b.put('present/x', Buffer.from('x'));
      await assertStorageError(b.get('present/y'), 'STORAGE_NOT_FOUND');
      await assertStorageError(b.get('present/x/below'), 'STORAGE_NOT_FOUND');
      await assertStorageError(b.get('present'), 'STORAGE_NOT_FOUND'); // a key prefix is not an object
    });

    check('head of a missing object is undefined', async (b) => {
      assert.equal(await b.head('nothing/here'), undefined);
      await b.put('dir/obj', Buffer.from('1'));
      assert.equal(await b.head('dir'), undefined, 'a key prefix is not an object');
    });

    check('ranged get returns exactly the bytes asked for; past the end is STORAGE_IO', async (b) => {
      const data = randomBytes(1000);
      await b.put('range/obj', data);
      for (const [start, end] of [[0, 10], [400, 600], [990, 1000], [0, 1000], [500, 500], [1000, 1000]] as const) {
        const got = await b.get('range/obj', { start, end });
        assert.ok(got.equals(data.subarray(start, end)), `range ${start}-${end}`);
      }
      await assertStorageError(b.get('range/obj', { start: 990, end: 1001 }), 'STORAGE_IO');
      await assertStorageError(b.get('range/missing', { start: 0, end: 1 }), 'STORAGE_NOT_FOUND');
    });

    check('list: prefix match, lexicographic order, nested keys in full, sizes and etags as head', async (b) => {
      const all = ['a/2', 'a/1', 'a/b/c', 'a/b-x', 'a/sub/deep/3', 'a-other', 'ab/4', 'b/x', 'a/b/c2'];
      for (const [i, key] of all.entries()) await b.put(key, Buffer.alloc(i + 1, i));
      assert.deepEqual(await keys(b, 'a/'), ['a/1', 'a/2', 'a/b-x', 'a/b/c', 'a/b/c2', 'a/sub/deep/3']);
      assert.deepEqual(await keys(b, 'a'), ['a-other', 'a/1', 'a/2', 'a/b-x', 'a/b/c', 'a/b/c2', 'a/sub/deep/3', 'ab/4']);
      assert.deepEqual(await keys(b, 'a/b'), ['a/b-x', 'a/b/c', 'a/b/c2']);
      assert.deepEqual(await keys(b, 'a/s'), ['a/sub/deep/3']);
      assert.deepEqual(await keys(b, 'a/b/c'), ['a/b/c', 'a/b/c2']);
      assert.deepEqual(await keys(b, ''), [...all].sort());
      for (const info of await listAll(b, '')) {
        assert.equal(info.size, all.indexOf(info.key) + 1);
        assert.deepEqual(await b.head(info.key), info);
      }
    });

    check('list of a prefix with no objects yields nothing', async (b) => {
      assert.deepEqual(await keys(b, ''), []);
      assert.deepEqual(await keys(b, 'empty/'), []);
      await b.put('some/key', Buffer.from('v'));
      assert.deepEqual(await keys(b, 'other/'), []);
      assert.deepEqual(await keys(b, 'some/key/'), []);
      assert.deepEqual(await keys(b, 'some/kez'), []);
    });

    check('delete: the object is gone; deleting a missing object is fine', async (b) => {
      await b.put('del/obj', Buffer.from('bye'));
      await b.put('del/keep', Buffer.from('stay'));
      await b.delete('del/obj');
      await assertStorageError(b.get('del/obj'), 'STORAGE_NOT_FOUND');
      assert.equal(await b.head('del/obj'), undefined);
      assert.deepEqual(await keys(b, 'del/'), ['del/keep']);
      await b.delete('del/obj');
      await b.delete('never/existed');
      assert.equal((await b.get('del/keep')).toString(), 'stay');
    });

    check('ifNoneMatch: creates a new object, refuses an existing one and leaves it unchanged', async (b) => {
      const created = await b.put('cond/new', Buffer.from('first'), { ifNoneMatch: true });
      assert.deepEqual(await b.head('cond/new'), created);
      await assertStorageError(b.put('cond/new', Buffer.from('second'), { ifNoneMatch: true }), 'STORAGE_PRECONDITION');
      assert.equal((await b.get('cond/new')).toString(), 'first');
      assert.deepEqual(await b.head('cond/new'), created);
      assert.deepEqual(await keys(b, 'cond/'), ['cond/new']);
    });

    check('ifMatch: the current etag wins, a stale or absent one is STORAGE_PRECONDITION', async (b) => {
      const v1 = await b.put('cond/m', Buffer.from('version-1'));
      const v2 = await b.put('cond/m', Buffer.from('version-2'), { ifMatch: v1.etag });
      assert.notEqual(v2.etag, v1.etag);
      assert.deepEqual(await b.head('cond/m'), v2);
      await assertStorageError(b.put('cond/m', Buffer.from('version-x'), { ifMatch: v1.etag }), 'STORAGE_PRECONDITION');
      assert.equal((await b.get('cond/m')).toString(), 'version-2');
      const v3 = await b.put('cond/m', Buffer.from('version-3'), { ifMatch: v2.etag });
      assert.equal((await b.get('cond/m')).toString(), 'version-3');
      assert.deepEqual(await b.head('cond/m'), v3);
      await assertStorageError(b.put('cond/absent', Buffer.from('x'), { ifMatch: v3.etag }), 'STORAGE_PRECONDITION');
      assert.equal(await b.head('cond/absent'), undefined);
    });

    check('concurrent ifNoneMatch puts: exactly one wins and its content is stored', async (b) => {
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => b.put('race/create', Buffer.from(`writer-${i}`), { ifNoneMatch: true })),
      );
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      assert.equal(winners.length, 1);
      for (const r of results) if (r.status === 'rejected') await assertStorageError(Promise.reject(r.reason), 'STORAGE_PRECONDITION');
      assert.equal((await b.get('race/create')).toString(), `writer-${winners[0]}`);
    });

    check('concurrent ifMatch puts against the same etag: exactly one wins', async (b) => {
      const base = await b.put('race/update', Buffer.from('base'));
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => b.put('race/update', Buffer.from(`update-${i}`), { ifMatch: base.etag })),
      );
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      assert.equal(winners.length, 1);
      for (const r of results) if (r.status === 'rejected') await assertStorageError(Promise.reject(r.reason), 'STORAGE_PRECONDITION');
      assert.equal((await b.get('race/update')).toString(), `update-${winners[0]}`);
    });

    defineWriterChecks(check);
    defineRetryabilityChecks(check, checkAt);
  });
}

function defineWriterChecks(check: Check): void {
  check('createWriter: invisible until finish, then exact; an old version stays readable meanwhile', async (b) => {
    await b.put('w/replaced', Buffer.from('old'));
    const chunks = [randomBytes(1000), Buffer.alloc(0), randomBytes(70_000), Buffer.from('tail')];
    for (const key of ['w/obj', 'w/replaced']) {
      const writer = b.createWriter(key);
      for (const chunk of chunks) await writer.write(chunk);
      if (key === 'w/obj') {
        assert.equal(await b.head(key), undefined);
        assert.deepEqual(await keys(b, 'w/'), ['w/replaced']);
      } else {
        assert.equal((await b.get(key)).toString(), 'old');
      }
      const info = await writer.finish();
      assert.equal(info.key, key);
      assert.equal(info.size, Buffer.concat(chunks).length);
      assert.deepEqual(await b.head(key), info);
      assert.ok((await b.get(key)).equals(Buffer.concat(chunks)));
    }
    assert.deepEqual(await keys(b, 'w/'), ['w/obj', 'w/replaced']);
  });

  check('createWriter: a chunk may be reused once write() resolves; no writes makes an empty object', async (b) => {
    const writer = b.createWriter('w/reuse');
    const chunk = Buffer.from('AAAA');
    await writer.write(chunk);
    chunk.fill('B'.charCodeAt(0));
    await writer.write(chunk);
    await writer.finish();
    assert.equal((await b.get('w/reuse')).toString(), 'AAAABBBB');
    const empty = await b.createWriter('w/empty').finish();
    assert.equal(empty.size, 0);
    assert.equal((await b.get('w/empty')).length, 0);
  });

  check('createWriter: abort leaves nothing, and leaves an existing object untouched', async (b) => {
    const writer = b.createWriter('ab/new');
    await writer.write(randomBytes(5000));
    await writer.abort();
    assert.equal(await b.head('ab/new'), undefined);
    assert.deepEqual(await keys(b, ''), []);
    const kept = await b.put('ab/kept', Buffer.from('kept'));
    const replacing = b.createWriter('ab/kept');
    await replacing.write(Buffer.from('never visible'));
    await replacing.abort();
    assert.deepEqual(await b.head('ab/kept'), kept);
    assert.equal((await b.get('ab/kept')).toString(), 'kept');
    assert.deepEqual(await keys(b, ''), ['ab/kept']);
  });

  check('createWriter: 20 MiB streamed in 64 KiB chunks arrives exactly', async (b) => {
    const chunkSize = 64 * 1024;
    const total = 20 * MiB;
    const hash = createHash('sha256');
    const writer = b.createWriter('big/segment.seg');
    const boundary = randomBytes(chunkSize);
    for (let written = 0; written < total; written += chunkSize) {
      const chunk = written === chunkSize * 100 ? boundary : randomBytes(chunkSize);
      hash.update(chunk);
      await writer.write(chunk);
    }
    const info = await writer.finish();
    assert.equal(info.size, total);
    const stored = await b.get('big/segment.seg');
    assert.equal(stored.length, total);
    assert.equal(createHash('sha256').update(stored).digest('hex'), hash.digest('hex'));
    const ranged = await b.get('big/segment.seg', { start: chunkSize * 100, end: chunkSize * 101 });
    assert.ok(ranged.equals(boundary));
  });

  check('keys with dots, dashes, underscores and deep nesting', async (b) => {
    const odd = [
      'backup.v1/topics/orders.eu-west_1/0/00000000000000000000-00000000000000000099.seg',
      'a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/deep.json',
      'x/.hidden-topic/0/manifest.json',
      'x/name.with.many.dots',
      'x/-leading-dash',
      'x/.dotfile',
    ];
    for (const key of odd) await b.put(key, Buffer.from(key));
    for (const key of odd) assert.equal((await b.get(key)).toString(), key);
    assert.deepEqual(await keys(b, ''), [...odd].sort());
    assert.deepEqual(await keys(b, 'x/.h'), ['x/.hidden-topic/0/manifest.json']);
  });
}
