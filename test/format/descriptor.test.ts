import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isKafkaBackupError } from '../../src/errors.js';
import {
  MAX_RUNS,
  effectiveState,
  readDescriptor,
  recordRun,
  writeDescriptor,
  type BackupDescriptor,
} from '../../src/format/descriptor.js';
import { descriptorKey } from '../../src/format/layout.js';
import { FastBackend, assertFails } from './helpers.js';

const KEY = descriptorKey('nightly');
const code = (c: string) => (err: unknown) => isKafkaBackupError(err) && err.code === c;

function sample(state: BackupDescriptor['state'] = 'running'): BackupDescriptor {
  return {
    format_version: 1,
    backup_id: 'nightly',
    created_at: '2026-11-22T05:00:00.000Z',
    updated_at: '2026-11-22T05:10:00.000Z',
    state,
    mode: 'snapshot',
    owner: { run_id: 'r1', host: 'backup-7', pid: 4242, heartbeat_at: '2026-11-22T05:10:00.000Z', heartbeat_interval_ms: 30000 },
    source: { cluster_id: 'q1Sh-9_ISia_zwGINzRvyQ', bootstrap_servers: ['kafka-1:9092'] },
    compression: { codec: 'zstd', level: 3 },
    topics: [{ name: 'orders', partitions: 3 }],
    runs: [{ run_id: 'r1', started_at: '2026-11-22T05:00:00.000Z', ended_at: null, result: 'running' }],
    error: null,
  };
}

async function stored(text: string): Promise<FastBackend> {
  const storage = new FastBackend();
  await storage.put(KEY, Buffer.from(text));
  return storage;
}

describe('backup descriptor', () => {
  test('round trip with conditional writes, in schema key order', async () => {
    const storage = new FastBackend();
    assert.equal(await readDescriptor(storage, 'nightly'), undefined);
    const etag = await writeDescriptor(storage, sample(), { create: true });
    assert.deepEqual(await readDescriptor(storage, 'nightly'), { descriptor: sample(), etag });
    assert.equal(storage.objects.get(KEY)!.data.toString(), `${JSON.stringify(sample(), null, 2)}\n`);
    const other = { ...sample(), updated_at: '2026-11-22T07:00:00.000Z' };
    await assert.rejects(writeDescriptor(storage, other, { create: true }), code('STORAGE_PRECONDITION'));
    await assert.rejects(writeDescriptor(storage, other, { etag: 'stale' }), code('STORAGE_PRECONDITION'));
    // The same bytes again (our own write, whose response was lost and which a retry repeats).
    assert.equal(await writeDescriptor(storage, sample(), { etag: 'stale' }), etag);
  });

  test('runs are capped at the last 100', async () => {
    let d = sample();
    for (let i = 0; i < 150; i++) {
      d = recordRun(d, { run_id: `run-${i}`, started_at: d.created_at, ended_at: d.updated_at, result: 'complete' });
    }
    assert.equal(d.runs.length, MAX_RUNS);
    assert.equal(d.runs[0]!.run_id, 'run-50');
    const storage = new FastBackend();
    await writeDescriptor(storage, { ...d, runs: [...sample().runs, ...d.runs] });
    const read = await readDescriptor(storage, 'nightly');
    assert.equal(read!.descriptor.runs.length, MAX_RUNS);
    assert.equal(read!.descriptor.runs.at(-1)!.run_id, 'run-149');
  });

  test('recordRun replaces the entry of the same run', () => {
    const d = recordRun(sample(), { run_id: 'r1', started_at: sample().created_at, ended_at: sample().updated_at, result: 'failed' });
    assert.deepEqual(d.runs.map((r) => [r.run_id, r.result]), [['r1', 'failed']]);
  });

  test('effectiveState: a running backup with a heartbeat older than 3 intervals is interrupted', () => {
    const beat = Date.parse(sample().owner.heartbeat_at);
    assert.equal(effectiveState(sample(), beat + 90_000), 'running');
    assert.equal(effectiveState(sample(), new Date(beat + 90_001)), 'interrupted');
    assert.equal(effectiveState(sample('complete'), beat + 10 ** 9), 'complete');
    assert.equal(effectiveState(sample('failed'), beat + 10 ** 9), 'failed');
  });

  test('corrupt, foreign and newer descriptors', async () => {
    const good = sample();
    const cases: [string, string][] = [
      ['not json', '{'],
      ['bad state', JSON.stringify({ ...good, state: 'paused' })],
      ['bad time', JSON.stringify({ ...good, created_at: 'yesterday' })],
      ['missing owner', JSON.stringify({ ...good, owner: undefined })],
      ['other backup', JSON.stringify({ ...good, backup_id: 'daily' })],
    ];
    for (const [what, text] of cases) {
      await assertFails(async () => readDescriptor(await stored(text), 'nightly'), 'BACKUP_CORRUPT', KEY, what);
    }
    const newer = JSON.stringify({ ...good, format_version: 2 });
    await assertFails(async () => readDescriptor(await stored(newer), 'nightly'), 'FORMAT_UNSUPPORTED', KEY);
  });

  test('topic entries may carry replication factor and configs, written in key order', async () => {
    const withConfigs: BackupDescriptor = {
      ...sample(),
      topics: [
        { name: 'orders', partitions: 3, replication_factor: 3, configs: { 'cleanup.policy': 'compact', 'retention.ms': '-1' } },
        { name: 'plain', partitions: 1, replication_factor: 1, configs: {} },
        { name: 'legacy', partitions: 2 },
      ],
    };
    const storage = new FastBackend();
    await writeDescriptor(storage, withConfigs, { create: true });
    assert.deepEqual((await readDescriptor(storage, 'nightly'))!.descriptor.topics, withConfigs.topics);
    const text = storage.objects.get(KEY)!.data.toString();
    assert.equal(text, `${JSON.stringify(withConfigs, null, 2)}\n`);
    assert.ok(text.indexOf('"partitions": 3') < text.indexOf('"replication_factor": 3'));
    assert.ok(text.indexOf('"replication_factor": 3') < text.indexOf('"configs"'));
  });

  test('a descriptor written before topic configs existed reads, and writes back without them', async () => {
    // The shape of the golden v1 descriptors: topics with name and partitions only.
    const old = sample();
    const read = await readDescriptor(await stored(`${JSON.stringify(old, null, 2)}\n`), 'nightly');
    assert.deepEqual(read!.descriptor.topics, [{ name: 'orders', partitions: 3 }]);
    assert.ok(!('replication_factor' in read!.descriptor.topics[0]!) && !('configs' in read!.descriptor.topics[0]!));
    const storage = new FastBackend();
    await writeDescriptor(storage, read!.descriptor);
    assert.equal(storage.objects.get(KEY)!.data.toString(), `${JSON.stringify(old, null, 2)}\n`);
  });

  test('invalid topic replication factor or configs are corrupt', async () => {
    const good = sample();
    const cases: [string, unknown][] = [
      ['replication factor 0', { name: 'orders', partitions: 3, replication_factor: 0 }],
      ['fractional replication factor', { name: 'orders', partitions: 3, replication_factor: 1.5 }],
      ['numeric config value', { name: 'orders', partitions: 3, configs: { 'retention.ms': -1 } }],
      ['configs not a mapping', { name: 'orders', partitions: 3, configs: ['retention.ms=-1'] }],
    ];
    for (const [what, topic] of cases) {
      await assertFails(async () => readDescriptor(await stored(JSON.stringify({ ...good, topics: [topic] })), 'nightly'), 'BACKUP_CORRUPT', KEY, what);
    }
  });

  test('writing an invalid descriptor is a bug (INTERNAL)', async () => {
    await assert.rejects(writeDescriptor(new FastBackend(), { ...sample(), updated_at: 'now' }), code('INTERNAL'));
  });
});
