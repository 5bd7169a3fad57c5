// storage.permissions (src/storage/filesystem/modes.ts): every file and directory the filesystem
// backend creates gets the policy's mode, whatever the umask, and the config key reaches it.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { parseConfig } from '../../../src/config/load.js';
import { writeRestoreState } from '../../../src/format/restore-state.js';
import { FilesystemBackend } from '../../../src/storage/filesystem/backend.js';
import { withLockFile } from '../../../src/storage/filesystem/lock.js';
import { modesFor, type Permissions } from '../../../src/storage/filesystem/modes.js';
import { openStorage } from '../../../src/storage/index.js';

const modeOf = async (p: string) => (await fs.stat(p)).mode & 0o777;
const octal = (m: number) => `0${m.toString(8)}`;

/** Every file and directory below root (root included) with its mode. */
async function modesBelow(root: string): Promise<{ path: string; dir: boolean; mode: number }[]> {
  const entries = await fs.readdir(root, { recursive: true, withFileTypes: true });
  const all = [{ path: root, dir: true }, ...entries.map((e) => ({ path: path.join(e.parentPath, e.name), dir: e.isDirectory() }))];
  return Promise.all(all.map(async (e) => ({ ...e, mode: await modeOf(e.path) })));
}

function assertModes(found: { path: string; dir: boolean; mode: number }[], expected: { file: number; dir: number }, what: string): void {
  assert.ok(found.some((e) => !e.dir) && found.some((e) => e.dir), `${what}: nothing was created`);
  for (const e of found) {
    const want = e.dir ? expected.dir : expected.file;
    assert.equal(octal(e.mode), octal(want), `${what}: ${e.path} (${e.dir ? 'directory' : 'file'})`);
  }
}

/** Creates everything the backend creates: nested directories, plain, create-only and conditional objects, a restore state, a temp file. */
async function exercise(backend: FilesystemBackend): Promise<void> {
  await backend.put('b/topics/t/0/manifest.json', Buffer.from('{}'));
  const created = await backend.put('b/backup.json', Buffer.from('{}'), { ifNoneMatch: true });
  await backend.put('b/backup.json', Buffer.from('{"v":2}'), { ifMatch: created.etag });
  const writer = backend.createWriter('b/topics/t/0/segments/00000000000000000000.kbs');
  await writer.write(Buffer.alloc(1000, 1));
  await writer.finish();
  await writeRestoreState(backend, {
    format_version: 1,
    backup_id: 'b',
    source_topic: 't',
    source_partition: 0,
    target_cluster_id: 'TargetCluster000000000',
    target_topic: 'orders',
    target_partition: 0,
    state: 'in_progress',
    target_start_offset: 0,
    records_written: 0,
    offset_map: [],
    started_at: new Date(0).toISOString(),
    updated_at: new Date(0).toISOString(),
  });
  // Left open: its temp file is on disk too.
  await backend.createWriter('b/topics/t/1/segments/00000000000000000000.kbs').write(Buffer.alloc(10));
}

describe('storage.permissions on the filesystem backend', () => {
  let dir: string;
  let umask: number;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kb-permissions-'));
    umask = process.umask();
  });
  afterEach(async () => {
    process.umask(umask);
    await fs.rm(dir, { recursive: true, force: true });
  });

  for (const [policy, expected] of [
    ['private', { file: 0o600, dir: 0o700 }],
    ['group', { file: 0o640, dir: 0o750 }],
  ] as const) {
    test(`${policy}: every created file is ${octal(expected.file)} and directory ${octal(expected.dir)}, under umask 022, 000 and 077`, async () => {
      for (const mask of [0o022, 0o000, 0o077]) {
        process.umask(mask);
        const root = path.join(dir, `${policy}-${octal(mask)}`, 'store');
        await exercise(new FilesystemBackend(root, { permissions: policy }));
        const found = await modesBelow(path.dirname(root));
        assert.ok(found.some((e) => /\.tmp-[0-9a-f]{16}$/.test(e.path)), 'a temp file is among the checked files');
        assert.ok(found.some((e) => e.path.includes(`${path.sep}restores${path.sep}`)), 'a restore state is among the checked files');
        assertModes(found, expected, `${policy}, umask ${octal(mask)}`);
      }
    });
  }

  test('umask: modes are 0666/0777 less the umask (the behaviour before storage.permissions)', async () => {
    process.umask(0o022);
    const root = path.join(dir, 'umask', 'store');
    await exercise(new FilesystemBackend(root, { permissions: 'umask' }));
    assertModes(await modesBelow(path.dirname(root)), { file: 0o644, dir: 0o755 }, 'umask 022');
  });

  test('the default, with no options, is private', async () => {
    const root = path.join(dir, 'default');
    await exercise(new FilesystemBackend(root));
    assertModes(await modesBelow(root), { file: 0o600, dir: 0o700 }, 'default');
  });

  test('lock files of conditional writes get the file mode while they are held', async () => {
    for (const policy of ['private', 'group'] as Permissions[]) {
      const lock = path.join(dir, `.x-${policy}.lock`);
      const seen = await withLockFile(lock, modesFor(policy), () => modeOf(lock));
      assert.equal(octal(seen), octal(modesFor(policy).file), policy);
    }
  });

  test('a directory that already exists keeps its mode', async () => {
    const root = path.join(dir, 'existing');
    await fs.mkdir(root, { mode: 0o755 });
    await fs.chmod(root, 0o755);
    await new FilesystemBackend(root).put('a/b', Buffer.from('x'));
    assert.equal(octal(await modeOf(root)), '0755');
    assert.equal(octal(await modeOf(path.join(root, 'a'))), '0700');
  });

  test('the config key storage.permissions reaches the backend (default private, group when set)', async () => {
    process.umask(0o022);
    for (const [written, file, directory] of [
      ['', 0o600, 0o700],
      ['  permissions: group\n', 0o640, 0o750],
      ['  permissions: umask\n', 0o644, 0o755],
    ] as const) {
      const root = path.join(dir, `config-${file.toString(8)}`);
      const config = parseConfig(`backup_id: b\nstorage:\n  backend: filesystem\n  path: ${root}\n${written}`, path.join(dir, 'c.yaml'), {});
      await openStorage(config.storage).put('b/backup.json', Buffer.from('{}'));
      assert.equal(octal(await modeOf(path.join(root, 'b', 'backup.json'))), octal(file), written || 'default');
      assert.equal(octal(await modeOf(path.join(root, 'b'))), octal(directory), written || 'default');
    }
  });
});
