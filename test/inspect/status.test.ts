import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isKafkaBackupError } from '../../src/errors.js';
import { FORMAT_VERSION } from '../../src/format/constants.js';
import { writeDescriptor } from '../../src/format/descriptor.js';
import { manifestKey, restoresPrefix } from '../../src/format/layout.js';
import { writeRestoreState } from '../../src/format/restore-state.js';
import { backupStatus, listBackups } from '../../src/inspect/status.js';
import { buildBatch, buildControlBatch, sequentialRecords } from '../records/build.js';
import { MemoryBackend } from '../storage/memory-backend.js';
import { descriptorOf, goldenStorage, iso, NOW, writePartition } from './fixtures.js';

describe('status of the golden v1 backups', () => {
  test('backupStatus: state, source, compression, totals, partitions with gaps, restores', async () => {
    const storage = await goldenStorage();
    const s = await backupStatus(storage, 'zstd-backup');
    assert.deepEqual(
      { ...s, partitions: undefined, restores: undefined },
      {
        backup_id: 'zstd-backup',
        location: 'memory://test',
        state: 'complete',
        mode: 'snapshot',
        created_at: '2026-01-01T01:00:00.000Z',
        updated_at: '2026-01-01T01:00:00.000Z',
        last_checkpoint: '2026-01-01T01:00:00.000Z',
        source_cluster_id: 'GoldenCluster000000000',
        compression: 'zstd level 3',
        run_error: null,
        damaged: false,
        problems: [],
        totals: { topics: 1, partitions: 1, records: 41, segments: 2, stored_bytes: 1316 + 576, raw_bytes: 3652 + 4868, compression_ratio: 4.5 },
        partitions: undefined,
        restores: undefined,
        consumer_groups: { captures: 1, first: '2026-01-01T01:00:00.000Z', latest: '2026-01-01T01:00:00.000Z', groups: ['audit', 'billing', 'gap-reader'] },
      },
    );
    assert.deepEqual(s.partitions, [
      {
        topic: 'orders',
        partition: 0,
        next_offset: 106,
        first_offset: 0,
        last_offset: 105,
        min_timestamp: 1767225600000,
        max_timestamp: 1767226599000,
        records: 41,
        segments: 2,
        stored_bytes: 1892,
        raw_bytes: 8520,
        gaps: [{ from: 42, to: 100, reason: 'log_start_moved' }],
      },
    ]);
    assert.deepEqual(s.restores, [
      {
        target_cluster_id: 'TargetCluster000000000',
        target_topic: 'orders-restored',
        target_partition: 0,
        state: 'complete',
        records_written: 41,
        updated_at: '2026-01-01T01:00:00.000Z',
      },
    ]);
    assert.equal((await backupStatus(storage, 'lz4-backup')).compression, 'lz4');
    assert.equal((await backupStatus(storage, 'none-backup')).totals.compression_ratio, 0.94);
  });

  test('listBackups: every backup at the location', async () => {
    const storage = await goldenStorage();
    const list = await listBackups(storage);
    assert.deepEqual(
      list,
      ['lz4-backup', 'none-backup', 'zstd-backup'].map((id) => ({
        backup_id: id,
        state: 'complete',
        mode: 'snapshot',
        updated_at: '2026-01-01T01:00:00.000Z',
        topics: 1,
        damaged: false,
        problems: [],
      })),
    );
  });

  test('an unknown backup id: BACKUP_NOT_FOUND', async () => {
    const storage = await goldenStorage();
    await assert.rejects(backupStatus(storage, 'nope'), (err) => isKafkaBackupError(err, 'BACKUP_NOT_FOUND') && /nope/.test(err.message));
  });
});

// A backup built here with the real writers: two topics, an empty partition, running/failed states.
const T = Date.parse('2026-01-15T00:00:00.000Z');

async function builtStorage(): Promise<MemoryBackend> {
  const storage = new MemoryBackend();
  const id = 'live';
  // b's manifests exist, but the run has not recorded b in the descriptor yet: in progress, not damage.
  await writeDescriptor(storage, descriptorOf(id, { topics: [{ name: 'a', partitions: 1 }] }), { create: true });
  await writePartition(storage, id, 'b', 10, [[buildBatch({ baseOffset: 7, records: sequentialRecords(4, T + 50_000) })]], 7);
  await writePartition(storage, id, 'b', 2, [
    [buildBatch({ baseOffset: 0, records: sequentialRecords(3, T) }), buildControlBatch({ baseOffset: 3, producerId: 5, type: 'commit', timestamp: T + 99_999_999 })],
    [buildBatch({ baseOffset: 4, records: sequentialRecords(2, T + 10_000) })],
  ]);
  await writePartition(storage, id, 'a', 0, []);
  // A restore state, and keys under restores/ that are not restore states.
  await writeRestoreState(storage, {
    format_version: FORMAT_VERSION,
    backup_id: id,
    source_topic: 'b',
    source_partition: 2,
    target_cluster_id: 'Dst',
    target_topic: 'b-copy',
    target_partition: 2,
    state: 'in_progress',
    target_start_offset: 10,
    records_written: 3,
    offset_map: [[0, 2, 10]],
    started_at: iso(NOW - 5_000),
    updated_at: iso(NOW - 4_000),
  });
  await storage.put(`${restoresPrefix(id)}Dst/b-copy/notes.txt`, Buffer.from('x'));
  await storage.put(`${restoresPrefix(id)}Dst/README.json`, Buffer.from('{}'));

  // Runs that ended before any partition had a manifest list no topics.
  await writeDescriptor(storage, descriptorOf('dead', { topics: [], updated_at: iso(NOW - 60_000), owner: { ...descriptorOf('dead').owner, heartbeat_at: iso(NOW - 60_000) } }), { create: true });
  await writeDescriptor(storage, descriptorOf('stopped', { topics: [], state: 'failed', mode: 'snapshot', error: { code: 'INTERRUPTED', message: 'SIGINT' } }), { create: true });
  await writeDescriptor(storage, descriptorOf('broken', { topics: [], state: 'failed', error: { code: 'STORAGE_IO', message: 'disk full' } }), { create: true });
  return storage;
}

describe('status of backups written by the real writers', () => {
  test('partitions sorted by topic then number; empty partitions and gap-only starts; totals', async () => {
    const storage = await builtStorage();
    const s = await backupStatus(storage, 'live', NOW);
    assert.equal(s.state, 'running');
    assert.equal(s.mode, 'continuous');
    assert.equal(s.compression, 'none');
    assert.deepEqual(s.partitions.map((p) => [p.topic, p.partition]), [['a', 0], ['b', 2], ['b', 10]]);
    const [a0, b2, b10] = s.partitions;
    assert.deepEqual(
      { ...a0! },
      { topic: 'a', partition: 0, next_offset: 0, first_offset: null, last_offset: null, min_timestamp: null, max_timestamp: null, records: 0, segments: 0, stored_bytes: 0, raw_bytes: 0, gaps: [] },
    );
    // The commit marker's record does not count and its timestamp is not a record time.
    assert.deepEqual(
      [b2!.first_offset, b2!.last_offset, b2!.next_offset, b2!.records, b2!.segments, b2!.min_timestamp, b2!.max_timestamp],
      [0, 5, 6, 5, 2, T, T + 11_000],
    );
    assert.deepEqual([b10!.first_offset, b10!.last_offset, b10!.next_offset, b10!.records, b10!.gaps], [7, 10, 11, 4, [{ from: 0, to: 7, reason: 'log_start_moved' }]]);
    assert.ok(b2!.stored_bytes > b2!.raw_bytes, 'codec none: stored = raw + segment framing');
    assert.equal(s.totals.topics, 2);
    assert.equal(s.totals.partitions, 3);
    assert.equal(s.totals.records, 9);
    assert.equal(s.totals.segments, 3);
    assert.equal(s.totals.stored_bytes, b2!.stored_bytes + b10!.stored_bytes);
    assert.equal(s.totals.raw_bytes, b2!.raw_bytes + b10!.raw_bytes);
    assert.deepEqual(s.restores, [
      { target_cluster_id: 'Dst', target_topic: 'b-copy', target_partition: 2, state: 'in_progress', records_written: 3, updated_at: iso(NOW - 4_000) },
    ]);
    assert.ok(storage.objects.has(manifestKey('live', 'a', 0)));
  });

  test('states: fresh heartbeat running, stale heartbeat interrupted, INTERRUPTED failure interrupted, other failure failed', async () => {
    const storage = await builtStorage();
    const states = Object.fromEntries((await listBackups(storage, NOW)).map((b) => [b.backup_id, [b.state, b.mode, b.topics]]));
    assert.deepEqual(states, {
      broken: ['failed', 'continuous', 0],
      dead: ['interrupted', 'continuous', 0],
      live: ['running', 'continuous', 2],
      stopped: ['interrupted', 'snapshot', 0],
    });
    assert.equal((await backupStatus(storage, 'dead', NOW)).state, 'interrupted');
    const stopped = await backupStatus(storage, 'stopped', NOW);
    assert.equal(stopped.state, 'interrupted');
    assert.deepEqual(stopped.run_error, { code: 'INTERRUPTED', message: 'SIGINT' });
    assert.deepEqual(stopped.totals, { topics: 0, partitions: 0, records: 0, segments: 0, stored_bytes: 0, raw_bytes: 0, compression_ratio: null });
    // The same running backup, looked at much later, has a stale heartbeat.
    assert.equal((await backupStatus(storage, 'live', NOW + 10 * 60_000)).state, 'interrupted');
  });

  test('an empty location lists no backups', async () => {
    assert.deepEqual(await listBackups(new MemoryBackend()), []);
  });
});

describe('status of damaged backups', () => {
  test('listBackups: a corrupt backup.json hides no other backup; a deleted one leaves the backup listed as damaged', async () => {
    const storage = await goldenStorage();
    await storage.put('zstd-backup/backup.json', Buffer.from('{"format_version": 1,'));
    storage.objects.delete('lz4-backup/backup.json');
    storage.objects.delete('none-backup/topics/orders/0/manifest.json');
    const list = await listBackups(storage);
    assert.deepEqual(
      list.map((b) => [b.backup_id, b.state, b.topics, b.damaged]),
      [
        ['lz4-backup', null, 1, true],
        ['none-backup', 'complete', 1, true],
        ['zstd-backup', null, 1, true],
      ],
    );
    assert.match(list[0]!.problems[0]!, /lz4-backup\/backup.json is missing/);
    assert.match(list[1]!.problems[0]!, /^orders\/0: partition manifest none-backup\/topics\/orders\/0\/manifest.json is missing/);
    assert.match(list[2]!.problems[0]!, /zstd-backup\/backup.json is not valid JSON/);
  });

  test('backupStatus: a corrupt restore state or capture is a problem shown with everything else', async () => {
    const storage = await goldenStorage();
    const state = [...storage.objects.keys()].find((k) => k.startsWith('lz4-backup/restores/') && k.endsWith('.json'))!;
    await storage.put(state, Buffer.from('{"format_version": 1,'));
    await storage.put('lz4-backup/groups/00000001767229200000.json', Buffer.from('not json'));
    const s = await backupStatus(storage, 'lz4-backup', NOW);
    assert.equal(s.damaged, true);
    assert.equal(s.state, 'complete');
    assert.equal(s.partitions.length, 1);
    assert.equal(s.problems.length, 2);
    assert.ok(s.problems.some((p) => p.includes(state) && p.includes('not valid JSON')), s.problems.join('\n'));
    assert.ok(s.problems.some((p) => p.startsWith('consumer-group capture')), s.problems.join('\n'));
  });

  test('backupStatus of a backup without backup.json: what can be read, and the problem', async () => {
    const storage = await goldenStorage();
    storage.objects.delete('zstd-backup/backup.json');
    const s = await backupStatus(storage, 'zstd-backup');
    assert.deepEqual([s.state, s.mode, s.created_at, s.source_cluster_id, s.compression], [null, null, null, null, null]);
    assert.equal(s.damaged, true);
    assert.equal(s.problems.length, 1);
    assert.match(s.problems[0]!, /zstd-backup\/backup.json is missing/);
    assert.deepEqual([s.totals.partitions, s.totals.records, s.totals.segments], [1, 41, 2]);
    assert.equal(s.restores.length, 1);
  });

  test('backupStatus of a backup with a missing manifest and a missing segment names both', async () => {
    const storage = await goldenStorage();
    storage.objects.delete('none-backup/topics/orders/0/manifest.json');
    const s = await backupStatus(storage, 'none-backup');
    assert.equal(s.state, 'complete');
    assert.deepEqual(s.partitions, []);
    assert.match(s.problems.join('\n'), /orders\/0: partition manifest none-backup\/topics\/orders\/0\/manifest.json is missing \(backup.json lists 1 partition\(s\) of orders\)/);
    const zstd = await goldenStorage();
    const segment = [...zstd.objects.keys()].find((k) => k.startsWith('zstd-backup/topics/orders/0/segments/'))!;
    zstd.objects.delete(segment);
    const z = await backupStatus(zstd, 'zstd-backup');
    assert.equal(z.damaged, true);
    assert.deepEqual(z.problems.map((p) => p.includes(segment) && p.includes('missing')), [true]);
  });
});
