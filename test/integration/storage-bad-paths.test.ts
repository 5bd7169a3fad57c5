// Storage that cannot take a backup, through the real CLI against the real broker: a full disk
// (a 2 MiB tmpfs), a storage.path under /proc, a read-only mount. Each ends within seconds with
// exit code 1 and a message naming the file and the cause, never a stack trace; and the full disk,
// once it has room, takes a rerun that completes the backup with no gap and no duplicate, checked
// by restoring it and reading both topics with kcat.
//
// Mounting needs root; the CI runs as root, so a refused mount fails these tests (it never skips).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { roundTripConfig, runCli, writeConfig, type CliResult } from './helpers/cli.js';
import { bootstrap, tempDir, unique } from './helpers/env.js';
import { createTopic, kcat } from './helpers/kafka-tools.js';
import { assertSameRecords, committedStateProblems, readManifests, readTopic } from './helpers/invariants.js';

const FAILURE = 1;

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}${r.error?.message ?? ''}`);
}

const mounted: string[] = [];
const scratch: string[] = [];
function mount(args: string[], dir: string): void {
  sh('mount', [...args, dir]);
  if (!mounted.includes(dir)) mounted.push(dir);
}
function scratchDir(prefix: string): string {
  const dir = tempDir(prefix);
  scratch.push(dir);
  return dir;
}
// Unmount always (lazily if a file is still open there), then remove the directories.
after(() => {
  for (const dir of mounted.reverse()) {
    const r = spawnSync('umount', [dir]);
    if (r.status !== 0) spawnSync('umount', ['-l', dir]);
  }
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** The failure a user should see: the exit code, the phrases, and no stack trace or "internal error". */
function expectFailure(r: CliResult, phrases: string[], what: string): void {
  const text = r.stderr + r.stdout;
  assert.equal(r.code, FAILURE, `${what}: exit code ${r.code}, expected ${FAILURE}:\n${text}`);
  for (const p of phrases) assert.ok(text.includes(p), `${what}: output should contain ${JSON.stringify(p)}:\n${text}`);
  assert.doesNotMatch(text, /^\s+at .+:\d+:\d+\)?$/m, `${what}: a stack trace reached the user:\n${text}`);
  assert.doesNotMatch(text, /internal error|INTERNAL/, `${what}: reported as a bug:\n${text}`);
}

async function timed(run: Promise<CliResult>): Promise<CliResult & { ms: number }> {
  const started = Date.now();
  const r = await run;
  return { ...r, ms: Date.now() - started };
}

/** Keyed records with 200 random hex characters each: about 4.5 MB for 20,000, so 2 MiB cannot hold them uncompressed. */
async function produceBulky(b: string, topic: string, count: number): Promise<void> {
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) lines.push(`k${i}:${randomBytes(100).toString('hex')}`);
  await kcat(['-P', '-b', b, '-t', topic, '-K:', '-X', 'topic.partitioner=murmur2_random', '-X', 'linger.ms=5'], lines.join('\n') + '\n');
}

function configFor(dir: string, name: string, storagePath: string, topic: string, id: string): string {
  const config = JSON.parse(
    roundTripConfig({
      backupId: id,
      storagePath,
      bootstrap: bootstrap(),
      include: [topic],
      mapping: { [topic]: `${topic}-restored` },
      backup: { compression: 'none', segment_max_bytes: 262144, block_max_bytes: 65536 },
    }),
  );
  config.source.kafka_config = { 'max.partition.fetch.bytes': 65536 };
  return writeConfig(dir, name, JSON.stringify(config));
}

test('a backup into a full disk fails with "disk full" naming the path; after freeing space the rerun completes exactly', { timeout: 300_000 }, async () => {
  const b = bootstrap();
  const topic = unique('disk-full');
  const id = unique('disk-full');
  const dir = scratchDir('disk-full');
  const mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  mount(['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs'], mnt);
  const storagePath = join(mnt, 'backups');
  await createTopic(b, topic, 3);
  await produceBulky(b, topic, 20_000);
  const cfg = configFor(dir, 'config.yaml', storagePath, topic, id);

  const full = await timed(runCli(['backup', '-c', cfg]));
  expectFailure(full, ['STORAGE_IO', 'disk full writing', storagePath, 'the disk is full (ENOSPC)', 'run again'], 'backup into a full disk');
  assert.ok(full.ms < 60_000, `the failing backup took ${full.ms} ms`);
  // What is left behind is committed state only: every listed segment complete (docs/design.md
  // invariant 1), some partitions partly backed up.
  assert.deepEqual(committedStateProblems(storagePath, id), [], 'committed state after the disk filled');
  // No temp or lock file keeps space or blocks the rerun: failed and abandoned uploads are discarded.
  const internal = (readdirSync(storagePath, { recursive: true }) as string[]).filter((f) => /(^|\/)\.[^/]*\.(tmp-[0-9a-f]{16}|lock)$/.test(f));
  assert.deepEqual(internal, [], 'temp and lock files left by the failed run');
  const partial = readManifests(storagePath, id).reduce((n, m) => n + m.segments.reduce((k, s) => k + s.record_count, 0), 0);
  assert.ok(partial < 20_000, `the full disk cannot hold everything, yet ${partial} records were committed`);

  // The same run with --json: one error object with the errno, on stdout.
  const json = await runCli(['backup', '-c', cfg, '--json']);
  assert.equal(json.code, FAILURE);
  assert.equal((JSON.parse(json.stdout.trim().split('\n').pop()!) as { error: { errno: string } }).error.errno, 'ENOSPC');

  // Free space: the tmpfs grows. The rerun continues after the last committed segment.
  sh('mount', ['-o', 'remount,size=64m', mnt]);
  const rerun = await runCli(['backup', '-c', cfg]);
  assert.equal(rerun.code, 0, `the rerun after freeing space exited ${rerun.code}:\n${rerun.stderr}`);
  assert.deepEqual(readdirSync(storagePath).sort(), [id]);

  const restore = await runCli(['restore', '-c', cfg]);
  assert.equal(restore.code, 0, `restore exited ${restore.code}:\n${restore.stderr}`);
  const source = await readTopic(b, topic);
  assert.equal(source.length, 20_000);
  assertSameRecords(source, await readTopic(b, `${topic}-restored`), 'restore of a backup completed after a full disk');
});

test('a storage.path under /proc fails within seconds: "not a storage location"', { timeout: 120_000 }, async () => {
  const b = bootstrap();
  const topic = unique('proc-path');
  const dir = scratchDir('proc-path');
  await createTopic(b, topic, 1);
  await produceBulky(b, topic, 10);
  for (const storagePath of [`/proc/${unique('kb')}`, '/proc/self/kb-backups']) {
    const cfg = configFor(dir, 'config.yaml', storagePath, topic, unique('proc-path'));
    const r = await timed(runCli(['backup', '-c', cfg]));
    expectFailure(r, ['STORAGE_IO', `cannot write ${storagePath}`, 'under /proc', 'not a storage location'], `backup into ${storagePath}`);
    assert.ok(r.ms < 15_000, `took ${r.ms} ms (it used to loop on mkdir forever)`);
  }
});

test('a read-only mount fails with "read-only file system", not "not found"', { timeout: 120_000 }, async () => {
  const b = bootstrap();
  const topic = unique('read-only');
  const id = unique('read-only');
  const dir = scratchDir('read-only');
  const backing = join(dir, 'backing');
  const mnt = join(dir, 'mnt');
  mkdirSync(backing);
  mkdirSync(mnt);
  mount(['--bind', backing], mnt);
  sh('mount', ['-o', 'remount,ro,bind', mnt]);
  await createTopic(b, topic, 1);
  await produceBulky(b, topic, 100);
  const storagePath = join(mnt, 'backups');
  const cfg = configFor(dir, 'config.yaml', storagePath, topic, id);
  const r = await timed(runCli(['backup', '-c', cfg]));
  expectFailure(r, ['STORAGE_PERMISSION', storagePath, 'read-only file system (EROFS)'], 'backup into a read-only mount');
  assert.doesNotMatch(r.stderr, /not found|ENOENT/, 'a read-only mount is not a missing object');
  assert.ok(r.ms < 15_000, `took ${r.ms} ms`);
  assert.deepEqual(readdirSync(backing), [], 'nothing was written');

  // Made writable, the same config backs up: the failure left nothing in the way.
  sh('mount', ['-o', 'remount,rw,bind', mnt]);
  const again = await runCli(['backup', '-c', cfg]);
  assert.equal(again.code, 0, `backup after remounting read-write exited ${again.code}:\n${again.stderr}`);
});
