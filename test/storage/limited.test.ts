import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ObjectInfo } from '../../src/storage/backend.js';
import type { PagedLister } from '../../src/storage/capabilities.js';
import { limitConcurrency, prefetchGet } from '../../src/storage/limited.js';
import { Semaphore } from '../../src/storage/semaphore.js';
import { assertStorageError, defineStorageBackendSuite } from '../conformance/storage-backend.suite.js';
import { MemoryBackend } from './memory-backend.js';

/** A fake that lists in pages of two and records how many slots were held while reading each page. */
class PagedMemoryBackend extends MemoryBackend implements PagedLister {
  readonly inUseDuringPageReads: number[] = [];
  constructor(private readonly semaphore: Semaphore) {
    super();
  }
  async *listPages(prefix: string): AsyncIterable<ObjectInfo[]> {
    const all = this.snapshot(prefix);
    for (let i = 0; i < all.length; i += 2) {
      const page = await this.operation(() => all.slice(i, i + 2));
      this.inUseDuringPageReads.push(this.semaphore.inUse);
      yield page;
    }
  }
}

async function filled(backend: MemoryBackend, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await backend.put(`k/${String(i).padStart(3, '0')}`, Buffer.from(`value-${i}`));
}

defineStorageBackendSuite('memory behind limitConcurrency(4)', async () => ({
  backend: limitConcurrency(new MemoryBackend(), new Semaphore(4)),
  cleanup: async () => {},
}));

describe('limitConcurrency', () => {
  test('50 concurrent gets with limit 4: never more than 4 at the backend', async () => {
    const fake = new MemoryBackend({ delayMs: 5 });
    await filled(fake, 50);
    fake.maxActive = 0;
    const sem = new Semaphore(4);
    const limited = limitConcurrency(fake, sem);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => limited.get(`k/${String(i).padStart(3, '0')}`)));
    results.forEach((data, i) => assert.equal(data.toString(), `value-${i}`));
    assert.equal(fake.maxActive, 4, 'the limit is reached and never exceeded');
    assert.equal(sem.maxObserved, 4);
    assert.equal(sem.inUse, 0);
  });

  test('every kind of call counts against the same limit, and failures release their slot', async () => {
    const fake = new MemoryBackend({ delayMs: 3 });
    const sem = new Semaphore(3);
    const limited = limitConcurrency(fake, sem);
    await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const key = `mixed/${i}`;
        await limited.put(key, Buffer.from(String(i)));
        assert.equal((await limited.head(key))?.size, String(i).length);
        await assertStorageError(limited.get(`${key}-missing`), 'STORAGE_NOT_FOUND');
        await limited.delete(key);
      }),
    );
    assert.equal(fake.maxActive, 3);
    assert.equal(sem.inUse, 0);
    assert.equal(fake.objects.size, 0);
  });

  test('limit 0 means unlimited', async () => {
    const fake = new MemoryBackend({ delayMs: 5 });
    await filled(fake, 50);
    fake.maxActive = 0;
    const limited = limitConcurrency(fake, new Semaphore(0));
    await Promise.all(Array.from({ length: 50 }, (_, i) => limited.get(`k/${String(i).padStart(3, '0')}`)));
    assert.equal(fake.maxActive, 50);
  });

  test('list holds a slot per page read, none while the consumer handles items', async () => {
    const sem = new Semaphore(1);
    const fake = new PagedMemoryBackend(sem);
    await filled(fake, 5);
    const limited = limitConcurrency(fake, sem);
    const seen: string[] = [];
    for await (const info of limited.list('k/')) {
      assert.equal(sem.inUse, 0, 'no slot is held while the consumer works');
      assert.equal((await limited.get(info.key)).length > 0, true, 'so the consumer can use storage itself');
      seen.push(info.key);
    }
    assert.deepEqual(seen, ['k/000', 'k/001', 'k/002', 'k/003', 'k/004']);
    assert.deepEqual(fake.inUseDuringPageReads, [1, 1, 1], 'three pages, each read under one slot');
  });

  test('list without pages from the backend: same guarantee; stopping early releases everything', async () => {
    const sem = new Semaphore(1);
    const fake = new MemoryBackend();
    await filled(fake, 4);
    const limited = limitConcurrency(fake, sem);
    const seen: string[] = [];
    for await (const info of limited.list('k/')) {
      assert.equal(sem.inUse, 0);
      seen.push(info.key);
      if (seen.length === 2) break;
    }
    assert.deepEqual(seen, ['k/000', 'k/001']);
    assert.equal(sem.inUse, 0);
    assert.equal(sem.waiting, 0);
  });

  test('a writer holds a slot only inside write(), finish() and abort()', async () => {
    const sem = new Semaphore(1);
    const fake = new MemoryBackend({ delayMs: 5 });
    await fake.put('other', Buffer.from('o'));
    const limited = limitConcurrency(fake, sem);
    const writer = limited.createWriter('seg');
    const writing = writer.write(Buffer.from('part-1 '));
    assert.equal(sem.inUse, 1);
    await writing;
    assert.equal(sem.inUse, 0, 'idle between writes');
    assert.equal((await limited.get('other')).toString(), 'o');
    await Promise.all([writer.write(Buffer.from('part-2')), limited.get('other')]);
    assert.equal(fake.maxActive, 1);
    const info = await writer.finish();
    assert.equal(info.size, 13);
    assert.equal(sem.inUse, 0);
    const aborted = limited.createWriter('gone');
    await aborted.write(Buffer.from('x'));
    await aborted.abort();
    assert.equal(await limited.head('gone'), undefined);
    assert.equal((await limited.get('seg')).toString(), 'part-1 part-2');
  });

  test('prefetchGet starts only when a slot is free now', async () => {
    const sem = new Semaphore(1);
    const fake = new MemoryBackend();
    await fake.put('seg', Buffer.from('0123456789'));
    const limited = limitConcurrency(fake, sem);
    const held = await sem.acquire();
    assert.equal(prefetchGet(limited, 'seg'), undefined);
    const queued = limited.get('seg', { start: 0, end: 1 });
    held();
    assert.equal(prefetchGet(limited, 'seg'), undefined, 'a queued get takes precedence');
    assert.equal((await queued).toString(), '0');
    const prefetched = prefetchGet(limited, 'seg', { start: 2, end: 5 });
    assert.ok(prefetched);
    assert.equal(sem.inUse, 1);
    assert.equal((await prefetched).toString(), '234');
    assert.equal(sem.inUse, 0);
    assert.equal((await prefetchGet(fake, 'seg'))?.toString(), '0123456789', 'an unlimited backend always has room');
  });

  test('kind and location are those of the wrapped backend', () => {
    const limited = limitConcurrency(new MemoryBackend(), new Semaphore(2));
    assert.equal(limited.kind, 'memory');
    assert.equal(limited.location, 'memory://test');
  });
});
