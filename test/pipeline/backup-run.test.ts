import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { KafkaBackupError, isKafkaBackupError } from '../../src/errors.js';
import { FORMAT_VERSION } from '../../src/format/constants.js';
import { readDescriptor, writeDescriptor, type BackupDescriptor } from '../../src/format/descriptor.js';
import type { KafkaSource } from '../../src/kafka/source.js';
import type { TopicAdmin, TopicDescription } from '../../src/kafka/topic-configs.js';
import { configSource } from '../../src/kafka/transport.js';
import { BackupRun, describeTopicsForDescriptor, type RunIdentity } from '../../src/pipeline/backup-run.js';
import { MemoryBackend } from '../storage/memory-backend.js';
import { assertFailsWith } from '../assert-error.js';

const log = pino({ level: 'silent' });
const ID = 'nightly';
const CLUSTER = 'ClusterA';

function identity(overrides: Partial<RunIdentity> = {}): RunIdentity {
  return {
    backupId: ID,
    mode: 'snapshot',
    clusterId: CLUSTER,
    bootstrapServers: ['kafka-1:9092'],
    compression: { codec: 'zstd', level: 3 },
    topics: [{ name: 'orders', partitions: 3 }],
    heartbeatIntervalMs: 10_000,
    ...overrides,
  };
}

/** A descriptor left by a run of another process, running, with its heartbeat `ageMs` old. */
function foreignRunning(ageMs: number, owner: Partial<BackupDescriptor['owner']> = {}): BackupDescriptor {
  const beat = new Date(Date.now() - ageMs).toISOString();
  const started = new Date(Date.now() - ageMs - 60_000).toISOString();
  return {
    format_version: FORMAT_VERSION,
    backup_id: ID,
    created_at: started,
    updated_at: beat,
    state: 'running',
    mode: 'snapshot',
    owner: { run_id: 'other-run', host: 'other-host', pid: 4321, heartbeat_at: beat, heartbeat_interval_ms: 10_000, ...owner },
    source: { cluster_id: CLUSTER, bootstrap_servers: ['kafka-1:9092'] },
    compression: { codec: 'lz4', level: 0 },
    topics: [{ name: 'orders', partitions: 2 }, { name: 'payments', partitions: 1 }],
    runs: [
      { run_id: 'old-run', started_at: started, ended_at: started, result: 'complete' },
      { run_id: 'other-run', started_at: started, ended_at: null, result: 'running' },
    ],
    error: null,
  };
}

async function descriptor(storage: MemoryBackend): Promise<BackupDescriptor> {
  const read = await readDescriptor(storage, ID);
  assert.ok(read, 'descriptor exists');
  return read.descriptor;
}

describe('BackupRun.claim', () => {
  test('a first claim creates the descriptor, owned by this process, with one running run', async () => {
    const storage = new MemoryBackend();
    const run = await BackupRun.claim(storage, identity(), log);
    const d = await descriptor(storage);
    assert.equal(d.backup_id, ID);
    assert.equal(d.state, 'running');
    assert.equal(d.mode, 'snapshot');
    assert.deepEqual(d.source, { cluster_id: CLUSTER, bootstrap_servers: ['kafka-1:9092'] });
    assert.deepEqual(d.compression, { codec: 'zstd', level: 3 });
    // Topics are listed once their partitions have manifests (recordTopics), not at the claim.
    assert.deepEqual(d.topics, []);
    await run.recordTopics();
    assert.deepEqual((await descriptor(storage)).topics, [{ name: 'orders', partitions: 3 }]);
    assert.deepEqual(
      { run_id: d.owner.run_id, host: d.owner.host, pid: d.owner.pid, interval: d.owner.heartbeat_interval_ms },
      { run_id: run.runId, host: hostname(), pid: process.pid, interval: 10_000 },
    );
    assert.deepEqual(d.runs.map((r) => [r.run_id, r.result, r.ended_at]), [[run.runId, 'running', null]]);
    assert.equal(d.error, null);
  });

  test('a second claim while the owner (another host) has a fresh heartbeat: BACKUP_IN_USE, descriptor untouched', async () => {
    const storage = new MemoryBackend();
    await writeDescriptor(storage, foreignRunning(1_000), { create: true });
    const before = storage.objects.get(`${ID}/backup.json`)!.etag;
    await assertFailsWith(BackupRun.claim(storage, identity(), log), 'BACKUP_IN_USE', /pid 4321 on other-host/);
    assert.equal(storage.objects.get(`${ID}/backup.json`)!.etag, before);
  });

  test('a second claim in the same process while the first is running: BACKUP_IN_USE', async () => {
    const storage = new MemoryBackend();
    await BackupRun.claim(storage, identity(), log);
    await assertFailsWith(BackupRun.claim(storage, identity(), log), 'BACKUP_IN_USE');
  });

  test('a stale heartbeat: the new run takes over and the previous run is marked interrupted', async () => {
    const storage = new MemoryBackend();
    await writeDescriptor(storage, foreignRunning(31_000), { create: true });
    const run = await BackupRun.claim(storage, identity({ mode: 'continuous' }), log);
    const d = await descriptor(storage);
    assert.equal(d.state, 'running');
    assert.equal(d.mode, 'continuous');
    assert.equal(d.owner.run_id, run.runId);
    assert.equal(d.owner.host, hostname());
    assert.deepEqual(d.runs.map((r) => [r.run_id, r.result]), [
      ['old-run', 'complete'],
      ['other-run', 'interrupted'],
      [run.runId, 'running'],
    ]);
    // Topics of earlier runs stay listed; this run's join them when recorded; partition counts only grow.
    assert.deepEqual(d.topics, [{ name: 'orders', partitions: 2 }, { name: 'payments', partitions: 1 }]);
    await run.recordTopics();
    assert.deepEqual((await descriptor(storage)).topics, [{ name: 'orders', partitions: 3 }, { name: 'payments', partitions: 1 }]);
    assert.deepEqual(d.compression, { codec: 'zstd', level: 3 });
  });

  test('a fresh heartbeat of a process on this host that no longer exists is taken over at once', async () => {
    const storage = new MemoryBackend();
    await writeDescriptor(storage, foreignRunning(1_000, { host: hostname(), pid: 2_147_483_000 }), { create: true });
    const run = await BackupRun.claim(storage, identity(), log);
    assert.deepEqual((await descriptor(storage)).runs.map((r) => [r.run_id, r.result]).slice(1), [
      ['other-run', 'interrupted'],
      [run.runId, 'running'],
    ]);
  });

  test('a finished backup is claimed again by the next run', async () => {
    const storage = new MemoryBackend();
    const first = await BackupRun.claim(storage, identity(), log);
    await first.finish('complete');
    const second = await BackupRun.claim(storage, identity(), log);
    const d = await descriptor(storage);
    assert.equal(d.state, 'running');
    assert.deepEqual(d.runs.map((r) => [r.run_id, r.result]), [
      [first.runId, 'complete'],
      [second.runId, 'running'],
    ]);
    assert.equal(d.created_at <= d.updated_at, true);
  });

  test('a backup of another Kafka cluster: CONFIG_INVALID naming both clusters', async () => {
    const storage = new MemoryBackend();
    const first = await BackupRun.claim(storage, identity(), log);
    await first.finish('complete');
    await assertFailsWith(BackupRun.claim(storage, identity({ clusterId: 'ClusterB' }), log), 'CONFIG_INVALID', /ClusterA.*ClusterB/s);
  });

  test('concurrent claims: exactly one wins, the others get BACKUP_IN_USE', async () => {
    for (const existing of [false, true]) {
      const storage = new MemoryBackend({ delayMs: 2 });
      if (existing) await (await BackupRun.claim(storage, identity(), log)).finish('complete');
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => BackupRun.claim(storage, identity(), log)));
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1, `existing descriptor: ${existing}`);
      for (const r of results) {
        if (r.status === 'rejected') assert.ok(isKafkaBackupError(r.reason, 'BACKUP_IN_USE'), String(r.reason));
      }
      assert.equal((await descriptor(storage)).owner.run_id, (won[0] as PromiseFulfilledResult<BackupRun>).value.runId);
    }
  });
});

describe('BackupRun heartbeat and finish', () => {
  test('heartbeat moves heartbeat_at and updated_at forward and keeps the run running', async () => {
    const storage = new MemoryBackend();
    const run = await BackupRun.claim(storage, identity(), log);
    const before = await descriptor(storage);
    await sleep(5);
    await run.heartbeat();
    const after = await descriptor(storage);
    assert.ok(after.owner.heartbeat_at > before.owner.heartbeat_at, `${after.owner.heartbeat_at} > ${before.owner.heartbeat_at}`);
    assert.equal(after.updated_at, after.owner.heartbeat_at);
    assert.equal(after.state, 'running');
    assert.deepEqual(after.runs, before.runs);
  });

  test("finish('complete') records the state and the run's end", async () => {
    const storage = new MemoryBackend();
    const run = await BackupRun.claim(storage, identity(), log);
    await run.finish('complete');
    const d = await descriptor(storage);
    assert.equal(d.state, 'complete');
    assert.equal(d.error, null);
    assert.equal(d.runs.at(-1)!.result, 'complete');
    assert.ok(d.runs.at(-1)!.ended_at !== null);
  });

  test("finish('failed', INTERRUPTED) records a failed state and an interrupted run", async () => {
    const storage = new MemoryBackend();
    const run = await BackupRun.claim(storage, identity(), log);
    const error = { code: 'INTERRUPTED', message: 'stopped by SIGTERM' };
    await run.finish('failed', error);
    const d = await descriptor(storage);
    assert.equal(d.state, 'failed');
    assert.deepEqual(d.error, error);
    assert.deepEqual([d.runs.at(-1)!.run_id, d.runs.at(-1)!.result], [run.runId, 'interrupted']);
  });

  test("finish('failed', other code) records a failed run", async () => {
    const storage = new MemoryBackend();
    const run = await BackupRun.claim(storage, identity(), log);
    await run.finish('failed', { code: 'STORAGE_IO', message: 'disk full' });
    assert.equal((await descriptor(storage)).runs.at(-1)!.result, 'failed');
  });

  test('heartbeats and finish issued together are written in order; the last write wins', async () => {
    const storage = new MemoryBackend({ delayMs: 2 });
    const run = await BackupRun.claim(storage, identity(), log);
    await Promise.all([run.heartbeat(), run.heartbeat(), run.finish('complete')]);
    const d = await descriptor(storage);
    assert.equal(d.state, 'complete');
  });

  test('a run whose descriptor was taken over cannot write any more: BACKUP_IN_USE', async () => {
    const storage = new MemoryBackend();
    const run = await BackupRun.claim(storage, identity(), log);
    // Another process takes over (as after a stale heartbeat) by rewriting the descriptor.
    const read = (await readDescriptor(storage, ID))!;
    await writeDescriptor(storage, { ...read.descriptor, owner: { ...read.descriptor.owner, run_id: 'usurper' } }, { etag: read.etag });
    await assertFailsWith(run.heartbeat(), 'BACKUP_IN_USE', /taken over/);
    await assertFailsWith(run.finish('complete'), 'BACKUP_IN_USE');
    assert.equal((await descriptor(storage)).owner.run_id, 'usurper');
  });
});

/** A source whose only working part is its topic admin (the rest is not used by these tests). */
function sourceWith(admin: TopicAdmin | undefined): KafkaSource {
  const unused = () => Promise.reject(new Error('not used'));
  return { clusterId: unused, topics: unused, offsets: unused, fetch: unused, close: unused, ...(admin ? { topicAdmin: admin } : {}) };
}

function adminOf(describe: (names: string[]) => Promise<TopicDescription[]>): TopicAdmin {
  return { describeTopics: describe, brokerCount: () => Promise.resolve(3), validateNewTopics: () => Promise.reject(new Error('not used')) };
}

const topicInfo = (name: string, partitions: number) => ({ name, partitions, internal: false });

describe('topic capture for the descriptor', () => {
  test('replication factor and the topic-level configs of each selected topic', async () => {
    const asked: string[][] = [];
    const admin = adminOf(async (names) => {
      asked.push(names);
      return [
        {
          name: 'orders',
          partitions: 3,
          replicationFactor: 3,
          configs: [
            { name: 'retention.ms', value: '-1', source: configSource.topic, readOnly: false, sensitive: false },
            { name: 'segment.bytes', value: '1073741824', source: configSource.default, readOnly: false, sensitive: false },
          ],
        },
        { name: 'plain', partitions: 1, replicationFactor: 1, configs: [] },
      ];
    });
    const got = await describeTopicsForDescriptor(sourceWith(admin), [topicInfo('orders', 3), topicInfo('plain', 1)], log);
    assert.deepEqual(asked, [['orders', 'plain']]);
    assert.deepEqual(got, [
      { name: 'orders', partitions: 3, replication_factor: 3, configs: { 'retention.ms': '-1' } },
      { name: 'plain', partitions: 1, replication_factor: 1, configs: {} },
    ]);
  });

  test('a source without a topic admin records partition counts only', async () => {
    assert.deepEqual(await describeTopicsForDescriptor(sourceWith(undefined), [topicInfo('orders', 3)], log), [{ name: 'orders', partitions: 3 }]);
  });

  test('no DescribeConfigs permission: a warning and partition counts only; other failures fail the run', async () => {
    const denied = adminOf(() => Promise.reject(new KafkaBackupError('KAFKA_AUTH', 'TOPIC_AUTHORIZATION_FAILED')));
    const warnings: string[] = [];
    const recording = pino({ level: 'warn' }, { write: (line: string) => warnings.push(String(JSON.parse(line).msg)) });
    assert.deepEqual(await describeTopicsForDescriptor(sourceWith(denied), [topicInfo('orders', 3)], recording), [{ name: 'orders', partitions: 3 }]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /cannot read the topic configs/);
    const broken = adminOf(() => Promise.reject(new KafkaBackupError('KAFKA_PROTOCOL', 'boom')));
    await assertFailsWith(describeTopicsForDescriptor(sourceWith(broken), [topicInfo('orders', 3)], log), 'KAFKA_PROTOCOL');
  });

  test('a run that fails before its partitions have manifests leaves the topics of the descriptor as they were', async () => {
    const storage = new MemoryBackend();
    await writeDescriptor(storage, { ...foreignRunning(31_000), state: 'complete' }, { create: true });
    const run = await BackupRun.claim(storage, identity({ topics: [{ name: 'orders', partitions: 5 }, { name: 'new', partitions: 2 }] }), log);
    await run.finish('failed', { code: 'KAFKA_UNREACHABLE', message: 'no broker' });
    assert.deepEqual((await descriptor(storage)).topics, [{ name: 'orders', partitions: 2 }, { name: 'payments', partitions: 1 }]);
  });

  test('every run captures again: the latest capture wins, a run without one keeps the earlier', async () => {
    const storage = new MemoryBackend();
    const first = await BackupRun.claim(
      storage,
      identity({
        topics: [
          { name: 'orders', partitions: 3, replication_factor: 3, configs: { 'retention.ms': '-1', 'cleanup.policy': 'compact' } },
          { name: 'payments', partitions: 1, replication_factor: 2, configs: { 'retention.ms': '1000' } },
        ],
      }),
      log,
    );
    await first.recordTopics();
    await first.finish('complete');
    const second = await BackupRun.claim(
      storage,
      identity({
        topics: [
          { name: 'orders', partitions: 2, replication_factor: 1, configs: { 'retention.ms': '86400000' } },
          { name: 'payments', partitions: 4 },
        ],
      }),
      log,
    );
    await second.recordTopics();
    await second.finish('complete');
    assert.deepEqual((await descriptor(storage)).topics, [
      // The capture replaced as a whole (cleanup.policy was removed from the topic); partitions only grow.
      { name: 'orders', partitions: 3, replication_factor: 1, configs: { 'retention.ms': '86400000' } },
      { name: 'payments', partitions: 4, replication_factor: 2, configs: { 'retention.ms': '1000' } },
    ]);
  });
});
