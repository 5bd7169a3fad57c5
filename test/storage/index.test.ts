import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openStorage, storageSemaphore, sweepTemporaryFiles } from '../../src/storage/index.js';

test('openStorage: a filesystem backend behind the process-wide semaphore, capabilities forwarded', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kb-open-storage-'));
  try {
    const storage = openStorage({ backend: 'filesystem', path: path.join(dir, 'backups'), permissions: 'private', max_concurrency: 3 });
    assert.equal(storage.kind, 'filesystem');
    assert.equal(storage.location, `file://${path.join(dir, 'backups')}`);
    assert.equal(storageSemaphore().limit, 3);

    const puts = Array.from({ length: 20 }, (_, i) => storage.put(`t/${i}`, Buffer.alloc(1024, i)));
    assert.ok(storageSemaphore().inUse <= 3);
    await Promise.all(puts);
    assert.equal(storageSemaphore().maxObserved, 3);
    assert.equal(storageSemaphore().inUse, 0);

    const writer = storage.createWriter('t/unfinished');
    await writer.write(Buffer.from('partial'));
    assert.equal(await sweepTemporaryFiles(storage, 0), 1, 'the sweeper is reachable through the decorator');
    await writer.abort();

    const again = openStorage({ backend: 'filesystem', path: dir, permissions: 'private', max_concurrency: 3 });
    assert.equal((await again.get('backups/t/7')).length, 1024, 'same limit: a second storage is fine');
    assert.throws(() => openStorage({ backend: 'filesystem', path: dir, permissions: 'private', max_concurrency: 4 }), /already configured/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
