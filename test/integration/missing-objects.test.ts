// Objects missing from a backup never pass silently (issue 8, items 1, 8 and 9). A deleted
// partition manifest, a deleted or unreadable backup.json, a deleted segment: verify,
// validate-restore and status name it and exit 3, and restore refuses before it writes anything
// to Kafka (the target topic is not even created, checked with kcat) or to the backup's restores/.
// status lists damaged backups next to healthy ones; a storage directory that does not exist is an
// error; restore.topics naming a topic the backup does not hold is a config mistake for restore
// (exit 2) and a listed problem for validate-restore (exit 3).
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expectExit, roundTripConfig, runCli, writeConfig, type CliResult } from './helpers/cli.js';
import { bootstrap, tempDir, unique } from './helpers/env.js';
import { createTopic, topicExists } from './helpers/kafka-tools.js';
import { produceKeyed, readManifests } from './helpers/invariants.js';
import { freshStorage } from './helpers/object-stores.js';

const FAILURE = 1;
const USAGE = 2;
const PROBLEMS = 3;

/** The first JSON document on stdout (a failing command may print its error as a second one). */
function firstJson(r: CliResult): Record<string, unknown> {
  return JSON.parse(r.stdout.split('\n')[0]!) as Record<string, unknown>;
}

interface Fixture {
  b: string;
  topic: string;
  /** The backup the cases damage, and a healthy one beside it at the same location. */
  id: string;
  healthy: string;
  storagePath: string;
}

interface Damage {
  what: string;
  /** Damages the backup in a copy of the storage directory; returns phrases every report must contain. */
  apply(storagePath: string, f: Fixture): string[];
}

const damages: Damage[] = [
  {
    what: 'the manifest of partition 1 of 3 deleted',
    apply(s, f) {
      const key = `${f.id}/topics/${f.topic}/1/manifest.json`;
      rmSync(join(s, key));
      return [`${f.topic}/1`, key];
    },
  },
  {
    what: 'backup.json deleted',
    apply(s, f) {
      rmSync(join(s, f.id, 'backup.json'));
      return [`${f.id}/backup.json`, 'is missing'];
    },
  },
  {
    what: 'backup.json not valid JSON',
    apply(s, f) {
      writeFileSync(join(s, f.id, 'backup.json'), '{"format_version": 1, "backup_id": "');
      return [`${f.id}/backup.json`, 'not valid JSON'];
    },
  },
  {
    what: 'a segment of partition 2 deleted',
    apply(s, f) {
      const key = readManifests(s, f.id).find((m) => m.partition === 2)!.segments[0]!.key;
      rmSync(join(s, key));
      return [`${f.topic}/2`, key, 'missing'];
    },
  },
];

/** Restoring `f` from storage at `storagePath` into a fresh target topic: its config and the target. */
function restoreConfig(f: Fixture, storagePath: string, restore: Record<string, unknown> = {}) {
  const target = unique(`${f.topic}-target`);
  const dir = tempDir('missing-objects-cfg');
  const cfg = writeConfig(dir, 'config.yaml', roundTripConfig({ backupId: f.id, storagePath, bootstrap: f.b, include: [f.topic], mapping: { [f.topic]: target }, restore }));
  return { cfg, target };
}

describe('objects missing from a backup', { timeout: 600_000 }, () => {
  const f: Fixture = { b: '', topic: '', id: '', healthy: '', storagePath: '' };

  before(async () => {
    f.b = bootstrap();
    f.topic = unique('missing');
    f.id = unique('damaged');
    f.healthy = unique('healthy');
    f.storagePath = join(tempDir('missing-objects'), 'storage');
    await createTopic(f.b, f.topic, 3);
    await produceKeyed(f.b, f.topic, 1, 3_000);
    for (const id of [f.id, f.healthy]) {
      const cfg = writeConfig(tempDir('missing-objects-cfg'), 'backup.yaml', roundTripConfig({ backupId: id, storagePath: f.storagePath, bootstrap: f.b, include: [f.topic], backup: { segment_max_bytes: 65536, block_max_bytes: 16384 } }));
      expectExit(await runCli(['backup', '-c', cfg]), 0, [], `backup ${id}`);
    }
    expectExit(await runCli(['verify', '--path', f.storagePath, '-b', f.id]), 0, ['3 partitions', 'all intact'], 'verify of the undamaged backup');
    expectExit(await runCli(['status', '--path', f.storagePath]), 0, [f.id, f.healthy], 'status of the undamaged location');
  });

  for (const d of damages) {
    test(`${d.what}: verify, validate-restore and status name it and exit 3; restore writes nothing`, async () => {
      const s = join(tempDir('missing-objects-case'), 'storage');
      cpSync(f.storagePath, s, { recursive: true });
      const phrases = d.apply(s, f);

      for (const quick of [[], ['--quick']]) {
        expectExit(await runCli(['verify', '--path', s, '-b', f.id, ...quick]), PROBLEMS, ['BACKUP_CORRUPT', ...phrases], `verify ${quick.join(' ')}`);
      }
      const { cfg, target } = restoreConfig(f, s);
      expectExit(await runCli(['validate-restore', '-c', cfg]), PROBLEMS, ['VALIDATION_FAILED', ...phrases], 'validate-restore');

      expectExit(await runCli(['status', '--path', s, '-b', f.id]), PROBLEMS, ['DAMAGED', ...phrases], 'status -b');
      const one = firstJson(await runCli(['status', '--path', s, '-b', f.id, '--json']));
      assert.equal(one.damaged, true);
      assert.ok((one.problems as string[]).some((p) => phrases.every((x) => p.includes(x))), `status --json problems: ${JSON.stringify(one.problems)}`);

      // The listing shows the damaged backup beside the healthy one, and exits 3.
      const listing = await runCli(['status', '--path', s]);
      expectExit(listing, PROBLEMS, [f.healthy, f.id, 'DAMAGED', ...phrases], 'status (listing)');
      const rows = listing.stdout.split('\n');
      assert.match(rows.find((r) => r.startsWith(f.healthy))!, / ok$/);
      assert.match(rows.find((r) => r.startsWith(f.id))!, /DAMAGED: /);
      const backups = firstJson(await runCli(['status', '--path', s, '--json'])).backups as { backup_id: string; damaged: boolean }[];
      assert.deepEqual(backups.map((b) => [b.backup_id, b.damaged]).sort(), [[f.healthy, false], [f.id, true]].sort());

      // restore: refused before anything is written, twice (nothing a rerun would trip over).
      for (const attempt of ['first', 'second']) {
        expectExit(await runCli(['restore', '-c', cfg]), PROBLEMS, ['BACKUP_CORRUPT', 'nothing was restored', ...phrases], `${attempt} restore`);
        assert.equal(await topicExists(f.b, target), false, `the ${attempt} refused restore created ${target}`);
        assert.equal(existsSync(join(s, f.id, 'restores')), false, 'a refused restore records no restore state');
      }
    });
  }

  test('a storage directory that does not exist is an error naming it; an empty one holds no backups', async () => {
    const missing = join(tempDir('missing-objects-loc'), 'no-such-dir');
    expectExit(await runCli(['status', '--path', missing]), FAILURE, ['STORAGE_NOT_FOUND', missing, 'does not exist'], 'status of a missing directory');
    expectExit(await runCli(['status', '--path', missing, '-b', f.id]), FAILURE, ['STORAGE_NOT_FOUND', missing], 'status -b in a missing directory');
    expectExit(await runCli(['verify', '--path', missing, '-b', f.id]), FAILURE, ['STORAGE_NOT_FOUND', missing], 'verify in a missing directory');
    const file = join(tempDir('missing-objects-loc'), 'a-file');
    writeFileSync(file, 'x');
    expectExit(await runCli(['status', '--path', file]), FAILURE, ['STORAGE_NOT_FOUND', file, 'not a directory'], 'status of a file');
    const empty = join(tempDir('missing-objects-loc'), 'empty');
    mkdirSync(empty);
    expectExit(await runCli(['status', '--path', empty]), 0, ['No backups at'], 'status of an empty directory');
    assert.deepEqual(readdirSync(empty), [], 'status writes nothing');
  });

  test('restore.topics naming a topic the backup does not hold: restore exits 2, validate-restore lists it and exits 3', async () => {
    const { cfg, target } = restoreConfig(f, f.storagePath, { topics: { include: [f.topic, 'no-such-topic'] } });
    expectExit(await runCli(['validate-restore', '-c', cfg]), PROBLEMS, ['VALIDATION_FAILED', 'restore.topics.include names no-such-topic', `it holds ${f.topic}`], 'validate-restore');
    expectExit(await runCli(['restore', '-c', cfg]), USAGE, ['CONFIG_INVALID', 'restore.topics.include names no-such-topic'], 'restore');
    assert.equal(await topicExists(f.b, target), false, 'the refused restore created its target');
  });
});

test('s3: a manifest deleted from the bucket is named by verify and status, and restore writes nothing', { timeout: 240_000 }, async () => {
  const b = bootstrap();
  const topic = unique('missing-s3');
  const id = unique('damaged-s3');
  const target = `${topic}-restored`;
  await createTopic(b, topic, 3);
  await produceKeyed(b, topic, 1, 600);
  const storage = await freshStorage('s3');
  const config = JSON.parse(roundTripConfig({ backupId: id, storagePath: '/unused', bootstrap: b, include: [topic], mapping: { [topic]: target } }));
  const cfg = writeConfig(tempDir('missing-objects-s3'), 'config.yaml', JSON.stringify({ ...config, storage }));
  expectExit(await runCli(['backup', '-c', cfg]), 0, [], 'backup to s3');

  // Deleted through the store's own SDK, not through kafka-backup.
  const key = `${id}/topics/${topic}/1/manifest.json`;
  const s3 = new S3Client({
    endpoint: String(storage.endpoint),
    region: String(storage.region),
    forcePathStyle: true,
    credentials: { accessKeyId: String(storage.access_key_id), secretAccessKey: String(storage.secret_access_key) },
  });
  try {
    await s3.send(new DeleteObjectCommand({ Bucket: String(storage.bucket), Key: `${String(storage.prefix)}/${key}` }));
  } finally {
    s3.destroy();
  }
  expectExit(await runCli(['verify', '-c', cfg]), PROBLEMS, ['BACKUP_CORRUPT', `${topic}/1`, key], 'verify');
  expectExit(await runCli(['status', '-c', cfg]), PROBLEMS, ['DAMAGED', `${topic}/1`, key], 'status -c');
  expectExit(await runCli(['validate-restore', '-c', cfg]), PROBLEMS, ['VALIDATION_FAILED', `${topic}/1`, key], 'validate-restore');
  expectExit(await runCli(['restore', '-c', cfg]), PROBLEMS, ['BACKUP_CORRUPT', `${topic}/1`, key], 'restore');
  assert.equal(await topicExists(b, target), false, 'the refused restore created its target');
});
