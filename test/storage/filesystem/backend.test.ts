import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KafkaBackupError } from '../../../src/errors.js';
import { FilesystemBackend } from '../../../src/storage/filesystem/backend.js';
import { MkdirRefused, mapFsError } from '../../../src/storage/filesystem/errors.js';
import { assertStorageError, defineStorageBackendSuite, listAll } from '../../conformance/storage-backend.suite.js';

async function tempRoot(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'kb-fs-backend-'));
}

async function fresh(): Promise<{ backend: FilesystemBackend; root: string; cleanup(): Promise<void> }> {
  const root = await tempRoot();
  const backend = new FilesystemBackend(path.join(root, 'store'));
  return { backend, root: path.join(root, 'store'), cleanup: () => fs.rm(root, { recursive: true, force: true }) };
}

async function filesBelow(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

defineStorageBackendSuite('filesystem', fresh);

describe('FilesystemBackend specifics', () => {
  test('location is file:// plus the absolute root, which the first write creates', async () => {
    const { backend, root, cleanup } = await fresh();
    try {
      assert.equal(backend.kind, 'filesystem');
      assert.equal(backend.location, `file://${root}`);
      assert.deepEqual(await listAll(backend, ''), []);
      await assert.rejects(fs.stat(root), { code: 'ENOENT' });
      await backend.put('a/b', Buffer.from('x'));
      assert.equal(await fs.readFile(path.join(root, 'a', 'b'), 'utf8'), 'x');
      assert.deepEqual(await filesBelow(root), ['a/b'], 'no temp or lock file is left behind');
    } finally {
      await cleanup();
    }
  });

  test('an unfinished writer leaves only a temp file: never listed, removed by sweepTemporaryFiles', async () => {
    const { backend, root, cleanup } = await fresh();
    try {
      await backend.put('seg/done', Buffer.from('done'));
      const writer = backend.createWriter('seg/crashed');
      await writer.write(Buffer.alloc(4096, 1));
      const temps = (await filesBelow(root)).filter((f) => f !== 'seg/done');
      assert.equal(temps.length, 1);
      assert.match(temps[0] ?? '', /^seg\/\.crashed\.tmp-[0-9a-f]{16}$/);
      assert.deepEqual((await listAll(backend, '')).map((i) => i.key), ['seg/done']);
      assert.equal(await backend.sweepTemporaryFiles(60_000), 0, 'a fresh temp file is kept');
      assert.equal(await backend.sweepTemporaryFiles(0), 1);
      assert.deepEqual(await filesBelow(root), ['seg/done']);
      await writer.abort();
      assert.deepEqual(await filesBelow(root), ['seg/done']);
    } finally {
      await cleanup();
    }
  });

  test('invalid and reserved keys are rejected as INTERNAL before touching the disk', async () => {
    const { backend, root, cleanup } = await fresh();
    try {
      const bad = ['', '/abs', 'a/../b', '..', 'a/./b', 'a//b', 'a/', 'back\\slash', 'nul\0byte', 'a/.b.lock', 'a/.b.tmp-0123456789abcdef'];
      for (const key of bad) {
        await assertStorageError(backend.put(key, Buffer.from('x')), 'INTERNAL');
        await assertStorageError(backend.get(key), 'INTERNAL');
        await assertStorageError(backend.head(key), 'INTERNAL');
        await assertStorageError(backend.delete(key), 'INTERNAL');
        assert.throws(() => backend.createWriter(key), (err: unknown) => err instanceof KafkaBackupError && err.code === 'INTERNAL');
      }
      for (const prefix of ['/abs', '../', 'a/../', 'a//']) {
        await assertStorageError(listAll(backend, prefix), 'INTERNAL');
      }
      await assertStorageError(backend.get('k', { start: 5, end: 2 }), 'INTERNAL');
      await assert.rejects(fs.stat(root), { code: 'ENOENT' });
    } finally {
      await cleanup();
    }
  });

  test('a stale lock file from a crashed process is broken; a live one is waited for', async () => {
    const { backend, root, cleanup } = await fresh();
    try {
      const v1 = await backend.put('lease', Buffer.from('one'));
      const lock = path.join(root, '.lease.lock');
      await fs.writeFile(lock, 'pid 1\n');
      const old = new Date(Date.now() - 60_000);
      await fs.utimes(lock, old, old);
      const v2 = await backend.put('lease', Buffer.from('two'), { ifMatch: v1.etag });
      await assert.rejects(fs.stat(lock), { code: 'ENOENT' });

      await fs.writeFile(lock, 'pid 2\n');
      let settled = false;
      const waiting = backend.put('lease', Buffer.from('three'), { ifMatch: v2.etag }).finally(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(settled, false, 'put must wait while a live lock is held');
      assert.equal((await backend.get('lease')).toString(), 'two');
      await fs.unlink(lock);
      await waiting;
      assert.equal((await backend.get('lease')).toString(), 'three');
      assert.deepEqual(await filesBelow(root), ['lease']);
    } finally {
      await cleanup();
    }
  });

  test('etags change on every replacement, even of same-size content written at once', async () => {
    const { backend, cleanup } = await fresh();
    try {
      const seen = new Set<string>();
      let current = await backend.put('k', Buffer.from('0000'));
      seen.add(current.etag);
      for (let i = 1; i < 50; i++) {
        current = await backend.put('k', Buffer.from(String(i).padStart(4, '0')), { ifMatch: current.etag });
        assert.equal(seen.has(current.etag), false, `etag repeated at version ${i}`);
        seen.add(current.etag);
      }
    } finally {
      await cleanup();
    }
  });

  test('writing below a path that is a file is STORAGE_IO with the cause attached', async () => {
    const { backend, cleanup } = await fresh();
    try {
      await backend.put('file', Buffer.from('x'));
      await assert.rejects(backend.put('file/below', Buffer.from('y')), (err: unknown) => {
        assert.ok(err instanceof KafkaBackupError);
        assert.equal(err.code, 'STORAGE_IO');
        assert.ok(err.cause instanceof Error);
        return true;
      });
    } finally {
      await cleanup();
    }
  });

  test('errno mapping: codes, retryable flags, messages naming the file and the likely cause, cause', () => {
    const context = { verb: 'writing' as const, path: '/backups/x', key: 'x', location: 'file:///backups' };
    const cases = [
      ['ENOENT', 'reading', 'STORAGE_NOT_FOUND', false, /object "x" not found in file:\/\/\/backups/],
      ['ENOTDIR', 'reading', 'STORAGE_NOT_FOUND', false, /object "x" not found/],
      ['ENOENT', 'writing', 'STORAGE_IO', false, /^cannot write \/backups\/x: its directory disappeared/],
      ['EACCES', 'writing', 'STORAGE_PERMISSION', false, /^permission denied writing \/backups\/x \(EACCES\): the user running kafka-backup .*check the owner and mode of \/backups$/],
      ['EPERM', 'deleting', 'STORAGE_PERMISSION', false, /^permission denied deleting \/backups\/x \(EPERM\)/],
      ['EROFS', 'writing', 'STORAGE_PERMISSION', false, /^permission denied writing \/backups\/x: read-only file system \(EROFS\)/],
      ['ENOSPC', 'writing', 'STORAGE_IO', false, /^disk full writing \/backups\/x: the disk is full \(ENOSPC\)\. Free space there and run again/],
      ['EDQUOT', 'locking', 'STORAGE_IO', false, /^disk full locking \/backups\/x: .*quota.*\(EDQUOT\)/],
      ['ENOTDIR', 'writing', 'STORAGE_IO', false, /^cannot write \/backups\/x: a part of its path is a file, not a directory \(ENOTDIR\)$/],
      ['EIO', 'writing', 'STORAGE_IO', true, /I\/O error writing/],
      ['EAGAIN', 'writing', 'STORAGE_IO', true, /I\/O error/],
      ['EBUSY', 'writing', 'STORAGE_IO', true, /I\/O error/],
      ['ENAMETOOLONG', 'writing', 'STORAGE_IO', false, /I\/O error/],
    ] as const;
    for (const [errno, verb, code, retryable, message] of cases) {
      const cause = Object.assign(new Error(`${errno}: fabricated`), { code: errno });
      const mapped = mapFsError(cause, { ...context, verb });
      assert.equal(mapped.code, code, errno);
      assert.equal(mapped.retryable, retryable, errno);
      assert.match(mapped.message, message);
      assert.equal(mapped.cause, cause);
      assert.equal(mapped.details.errno, errno === 'ENOTDIR' && verb === 'reading' ? 'ENOENT' : errno);
    }
    const enoent = Object.assign(new Error('ENOENT: fabricated'), { code: 'ENOENT' });
    for (const root of ['/proc', '/sys']) {
      const mapped = mapFsError(new MkdirRefused(`${root}/x`, enoent), { ...context, path: `${root}/x/b/backup.json` });
      assert.equal(mapped.code, 'STORAGE_IO');
      assert.equal(mapped.message, `cannot write ${root}/x: it is under ${root}, a kernel pseudo-filesystem, not a storage location (ENOENT); set storage.path to a directory on a disk`);
    }
    assert.match(
      mapFsError(new MkdirRefused('/data/link', enoent), context).message,
      /^cannot create directory \/data\/link: the filesystem refused it \(ENOENT\) although \/data exists; is the path a dangling symbolic link/,
    );
    const already = new KafkaBackupError('STORAGE_PRECONDITION', 'lost');
    assert.equal(mapFsError(already, context), already);
  });

  test('a real permission error maps to STORAGE_PERMISSION (as an unprivileged user)', async () => {
    const parent = await tempRoot();
    try {
      await fs.chmod(parent, 0o755);
      const root = path.join(parent, 'readonly');
      await fs.mkdir(root, { mode: 0o555 });
      await fs.writeFile(path.join(root, 'secret'), 'x', { mode: 0o000 });
      await fs.chmod(root, 0o555);
      const outcome = await runUnprivileged(root);
      const uid = process.getuid?.() === 0 ? 65534 : process.getuid?.();
      const denied = (verb: string, file: string) =>
        `permission denied ${verb} ${path.join(root, file)} (EACCES): the user running kafka-backup (uid ${uid}) may not do that there; ` +
        `check the owner and mode of ${root}`;
      assert.deepEqual(outcome.put, { code: 'STORAGE_PERMISSION', message: denied('writing', 'new') });
      assert.deepEqual(outcome.get, { code: 'STORAGE_PERMISSION', message: denied('reading', 'secret') });
    } finally {
      await fs.rm(parent, { recursive: true, force: true });
    }
  });
});

/**
 * chmod does not stop root, and the tests may run as root: then the probe runs in a child process
 * as uid/gid 65534 (nobody); otherwise in a child process as the current user.
 */
async function runUnprivileged(root: string): Promise<Record<'put' | 'get', { code: string; message: string }>> {
  const backendModule = fileURLToPath(new URL('../../../src/storage/filesystem/backend.js', import.meta.url));
  const script = `
    const { FilesystemBackend } = await import(${JSON.stringify(backendModule)});
    const backend = new FilesystemBackend(${JSON.stringify(root)});
    const outcome = async (p) => p.then(() => ({ code: 'none', message: '' }), (e) => ({ code: e.code, message: e.message }));
    const put = await outcome(backend.put('new', Buffer.from('x')));
    const get = await outcome(backend.get('secret'));
    process.stdout.write(JSON.stringify({ put, get }));`;
  const asRoot = process.getuid?.() === 0;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    cwd: os.tmpdir(),
  });
  return JSON.parse(stdout) as Record<'put' | 'get', { code: string; message: string }>;
}

test('a writer refuses use after finish or abort (INTERNAL), and abort after finish changes nothing', async () => {
  const { backend, cleanup } = await fresh();
  try {
    const writer = backend.createWriter('w');
    await writer.write(Buffer.from('data'));
    await writer.finish();
    await assertStorageError(writer.write(Buffer.from('more')), 'INTERNAL');
    await assertStorageError(writer.finish(), 'INTERNAL');
    await writer.abort();
    assert.equal((await backend.get('w')).toString(), 'data');
    const aborted = backend.createWriter('x');
    await aborted.abort();
    await assertStorageError(aborted.write(Buffer.from('late')), 'INTERNAL');
    assert.equal(await backend.head('x'), undefined);
  } finally {
    await cleanup();
  }
});

test('conditional writes from separate backend instances (no shared mutex) are serialized by the lock file', async () => {
  const { backend, root, cleanup } = await fresh();
  try {
    const base = await backend.put('lease', Buffer.from('base'));
    const instances = Array.from({ length: 6 }, () => new FilesystemBackend(root));
    const results = await Promise.allSettled(
      instances.map((other, i) => other.put('lease', Buffer.from(`holder-${i}`), { ifMatch: base.etag })),
    );
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    assert.equal(winners.length, 1);
    assert.equal((await backend.get('lease')).toString(), `holder-${winners[0]}`);
    assert.deepEqual(await filesBelow(root), ['lease']);
  } finally {
    await cleanup();
  }
});

describe('filesystem lock files left by a killed process', () => {
  test('a lock naming a dead process on this host is broken at once, not after 30 s', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'kb-lock-'));
    try {
      const backend = new FilesystemBackend(root);
      const first = await backend.put('a/manifest.json', Buffer.from('v1'));
      const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
      await fs.writeFile(path.join(root, 'a', '.manifest.json.lock'), `pid ${child.stdout.trim()} on ${os.hostname()}\n`);
      const started = Date.now();
      await backend.put('a/manifest.json', Buffer.from('v2'), { ifMatch: first.etag });
      assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
      assert.equal((await backend.get('a/manifest.json')).toString(), 'v2');
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});
