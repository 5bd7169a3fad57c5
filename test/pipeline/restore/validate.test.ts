// validateRestore, the dry run behind `validate-restore`: a backup made by runBackup in an
// in-memory store is checked against an in-memory target cluster (fake-cluster.ts). What it
// predicts per partition, what it reads, and that every problem is listed while nothing is written.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { KafkaBackupError } from '../../../src/errors.js';
import type { Config } from '../../../src/config/types.js';
import { BLOCK_HEADER_SIZE, SEGMENT_SUFFIX } from '../../../src/format/constants.js';
import { restoresPrefix } from '../../../src/format/layout.js';
import { SegmentReader } from '../../../src/format/segment-reader.js';
import { runBackup } from '../../../src/pipeline/backup/backup.js';
import { runRestore } from '../../../src/pipeline/restore/restore.js';
import { validateRestore, type TargetConnection } from '../../../src/pipeline/restore/validate.js';
import { MemoryBackend } from '../../storage/memory-backend.js';
import { base, parse } from '../../config/helpers.js';
import { FakeCluster } from '../fake-cluster.js';

const log = pino({ level: 'silent' });
const signal = new AbortController().signal;

/** A backup of `orders`: 2 partitions of 4 batches of 10 records of 3 kB, two segments each. */
async function backedUp(): Promise<MemoryBackend> {
  const source = new FakeCluster({ batchesPerFetch: 1 }).addTopic('orders', 2, 4, 10, 3000);
  const storage = new MemoryBackend();
  const config = parse(`${base}source:\n  bootstrap_servers: k:9092\nbackup:\n  compression: none\n  segment_max_bytes: 65536\n  block_max_bytes: 4096\n`);
  await runBackup({ config, source, storage, log, signal });
  return storage;
}

function config(restore = ''): Config {
  return parse(`${base}target:\n  bootstrap_servers: target-1:9092,target-2:9092\n${restore ? `restore:\n${restore.replace(/^/gm, '  ')}\n` : ''}`);
}

/** A connection to `target` that records whether it was closed. */
function connectTo(target: FakeCluster) {
  const seen = { opened: 0, closed: 0 };
  const connect = async (): Promise<TargetConnection> => {
    seen.opened++;
    return { sink: target, close: async () => void seen.closed++ };
  };
  return { connect, seen };
}

const segmentKeys = (storage: MemoryBackend) => [...storage.objects.keys()].filter((k) => k.endsWith(SEGMENT_SUFFIX)).sort();

describe('validateRestore', () => {
  test('a whole backup into an empty target: no problems, the topic to create, every partition and segment counted; nothing written', async () => {
    const storage = await backedUp();
    const target = new FakeCluster();
    const { connect, seen } = connectTo(target);
    const before = [...storage.objects.keys()].sort();
    const v = await validateRestore(config(), storage, { quick: false, connect });
    assert.deepEqual(v.problems, []);
    assert.equal(v.backupId, 'test-backup');
    assert.equal(v.clusterId, target.id);
    assert.equal(v.provenanceHeaders, false);
    assert.deepEqual(
      v.partitions.map((p) => [p.sourceTopic, p.targetTopic, p.partition, p.records, p.action, p.keylessRecords]),
      [
        ['orders', 'orders', 0, 40, 'create topic, restore', undefined],
        ['orders', 'orders', 1, 40, 'create topic, restore', undefined],
      ],
    );
    assert.ok(v.partitions.every((p) => p.rawBytes > 0 && p.storedBytes > 0));
    assert.deepEqual(v.createTopics.map((t) => [t.name, t.partitions]), [['orders', 2]]);
    assert.deepEqual(v.topics.map((t) => [t.sourceTopic, t.targetTopic, t.partitions, t.create?.name]), [['orders', 'orders', 2, 'orders']]);
    assert.equal(v.segments.checked, segmentKeys(storage).length);
    assert.equal(v.segments.checked, 4);
    assert.equal(v.segments.damaged, 0);
    assert.equal(v.groups, undefined);
    assert.deepEqual(seen, { opened: 1, closed: 1 }, 'the target connection is closed after the checks');
    assert.deepEqual(target.created, [], 'no topic created');
    assert.equal(target.produced.length, 0, 'nothing produced');
    assert.deepEqual([...storage.objects.keys()].sort(), before, 'nothing written to storage');
  });

  test('an unreachable target is one problem naming it; the backup is still checked', async () => {
    const storage = await backedUp();
    const connect = async (): Promise<TargetConnection> => {
      throw new KafkaBackupError('KAFKA_UNREACHABLE', 'connection refused');
    };
    const v = await validateRestore(config(), storage, { quick: false, connect });
    assert.equal(v.clusterId, '');
    assert.equal(v.problems.length, 1);
    assert.match(v.problems[0]!, /^target cluster target-1:9092,target-2:9092: .*connection refused/);
    assert.deepEqual(
      v.partitions.map((p) => p.action),
      ['unknown (target not checked)', 'unknown (target not checked)'],
    );
    assert.equal(v.segments.checked, segmentKeys(storage).length);
    assert.deepEqual(v.createTopics, []);
    assert.ok(v.topics.every((t) => t.create === undefined && t.limits === undefined));
  });

  test('an error that is not a Kafka connection problem is not turned into a problem', async () => {
    const storage = await backedUp();
    const connect = async (): Promise<TargetConnection> => {
      throw new Error('a bug');
    };
    await assert.rejects(validateRestore(config(), storage, { quick: false, connect }), /a bug/);
  });

  test('a flipped byte: the full read finds it and names the partition; quick (sizes only) does not', async () => {
    const storage = await backedUp();
    const key = segmentKeys(storage)[0]!;
    const entry = (await SegmentReader.open(storage, key)).blocks[0]!;
    storage.objects.get(key)!.data[entry.position + BLOCK_HEADER_SIZE + Math.floor(entry.storedLength / 2)]! ^= 0x40;
    const full = await validateRestore(config(), storage, { quick: false, connect: connectTo(new FakeCluster()).connect });
    assert.equal(full.segments.damaged, 1);
    assert.equal(full.problems.length, 1);
    assert.ok(full.problems[0]!.startsWith('orders/0: segment ') && full.problems[0]!.includes(key), full.problems[0]);
    const quick = await validateRestore(config(), storage, { quick: true, connect: connectTo(new FakeCluster()).connect });
    assert.deepEqual(quick.problems, []);
    assert.equal(quick.segments.damaged, 0);
    assert.equal(quick.segments.checked, full.segments.checked);
  });

  test('a missing segment is a problem of the backup in both modes', async () => {
    const storage = await backedUp();
    const key = segmentKeys(storage).at(-1)!;
    storage.objects.delete(key);
    for (const quick of [true, false]) {
      const v = await validateRestore(config(), storage, { quick, connect: connectTo(new FakeCluster()).connect });
      assert.equal(v.segments.damaged, 1, `quick: ${quick}`);
      assert.ok(v.problems.some((p) => p.includes(key) && p.includes('missing')), v.problems.join('\n'));
    }
  });

  test('the action per partition: restore, append (a problem without allow_append), already restored', async () => {
    const storage = await backedUp();
    // Existing empty topic: restore; holding records: append (a problem unless allow_append).
    const empty = new FakeCluster().addTopic('orders', 2);
    assert.deepEqual((await validateRestore(config(), storage, { quick: true, connect: connectTo(empty).connect })).partitions.map((p) => p.action), ['restore', 'restore']);
    const holding = new FakeCluster().addTopic('orders', 2, 1);
    const refused = await validateRestore(config(), storage, { quick: true, connect: connectTo(holding).connect });
    assert.deepEqual(refused.partitions.map((p) => p.action), ['append', 'append']);
    assert.equal(refused.problems.length, 2);
    assert.ok(refused.problems.every((p) => p.includes('allow_append')), refused.problems.join('\n'));
    const allowed = await validateRestore(config('allow_append: true'), storage, { quick: true, connect: connectTo(holding).connect });
    assert.deepEqual(allowed.problems, []);
    // After a complete restore into the target, a rerun would skip every partition.
    const restored = new FakeCluster();
    await runRestore({ config: config(), sink: restored, storage, log, signal });
    assert.ok([...storage.objects.keys()].some((k) => k.startsWith(restoresPrefix('test-backup'))));
    const again = await validateRestore(config(), storage, { quick: false, connect: connectTo(restored).connect });
    assert.deepEqual(again.partitions.map((p) => p.action), ['already restored', 'already restored']);
    assert.deepEqual(again.problems, []);
  });

  test('a point-in-time offset range: records is the exact count the restore would write', async () => {
    const storage = await backedUp();
    const restore = 'start_offset: 5\nend_offset: 21';
    const v = await validateRestore(config(restore), storage, { quick: false, connect: connectTo(new FakeCluster()).connect });
    assert.deepEqual(v.partitions.map((p) => p.records), [17, 17]);
    const target = new FakeCluster();
    await runRestore({ config: config(restore), sink: target, storage, log, signal });
    assert.deepEqual(target.logs.get('orders')!.map((l) => l.end), [17, 17]);
  });

  test('restore.topics naming a topic the backup does not hold is listed with the other problems', async () => {
    const storage = await backedUp();
    const v = await validateRestore(config('topics: { include: [orders, payments] }'), storage, { quick: true, connect: connectTo(new FakeCluster()).connect });
    assert.equal(v.problems.length, 1);
    assert.match(v.problems[0]!, /payments/);
    assert.deepEqual(v.partitions.map((p) => p.sourceTopic), ['orders', 'orders']);
  });
});
