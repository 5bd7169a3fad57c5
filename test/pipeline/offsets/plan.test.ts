// The offsets plan against brute force: for every committed offset over a log with a compaction
// gap, a transaction marker, log-append time and a gzip batch, the predicted target offset is the
// start plus the restored records before it, with and without a time window and offset range;
// after a restore the offset map gives the same answers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { parseConfig } from '../../../src/config/load.js';
import type { BackupDescriptor } from '../../../src/format/descriptor.js';
import { writeGroupCapture } from '../../../src/format/group-offsets.js';
import type { PartitionManifest } from '../../../src/format/manifest.js';
import { OffsetMapBuilder, type RestoreState } from '../../../src/format/restore-state.js';
import { visitRecords } from '../../../src/records/produce.js';
import { applyGroupOffsets } from '../../../src/pipeline/offsets/apply.js';
import { planGroupOffsets, type TargetPartitionState } from '../../../src/pipeline/offsets/plan.js';
import { recordMatches, restoreFilterFor } from '../../../src/pipeline/restore/filter.js';
import type { RestorePlan } from '../../../src/pipeline/restore/checks/plan.js';
import { fixtureLog } from '../../format/fixtures.js';
import { writeSegment } from '../../format/helpers.js';
import { MemoryBackend } from '../../storage/memory-backend.js';
import { FakeGroupAdmin, committed } from '../fake-group-admin.js';

const log = pino({ level: 'silent' });

function configWith(restore: Record<string, unknown>) {
  return parseConfig(JSON.stringify({ backup_id: 'b', target: { bootstrap_servers: ['k:9092'] }, storage: { backend: 'filesystem', path: '/tmp/x' }, restore }), 'c.yaml');
}

/** A backup of orders/0 (fixtureLog in two segments) with one capture committing every offset of `offsets` in its own group. */
async function fixture(offsets: number[]) {
  const storage = new MemoryBackend();
  const batches = await fixtureLog(100, 30);
  const half = Math.floor(batches.length / 2);
  const segments = [];
  for (const [i, part] of [batches.slice(0, half), batches.slice(half)].entries()) {
    const s = await writeSegment(storage, `b/topics/orders/0/segments/${i}.kbs`, 'zstd', part, 2048);
    segments.push({ ...s, next_offset: s.last_offset + 1 });
  }
  // Every data record: source offset and visible timestamp (brute force).
  const records: { offset: number; timestamp: number }[] = [];
  for (const b of batches) {
    if (b.header.isControl || b.header.recordCount === 0) continue;
    await visitRecords(b.header, b.bytes, (offset, timestamp) => records.push({ offset, timestamp }));
  }
  await writeGroupCapture(storage, {
    format_version: 1,
    backup_id: 'b',
    captured_at: new Date(1_000).toISOString(),
    source_cluster_id: 'S',
    groups: offsets.map((o) => ({ group_id: `g${o}`, state: 'Empty', offsets: [committed('orders', 0, o, `m${o}`), committed('not-restored', 0, 1)] })),
  });
  const plan: RestorePlan = {
    descriptor: {} as BackupDescriptor,
    topics: [{ sourceTopic: 'orders', targetTopic: 'orders-r', partitions: 1 }],
    partitions: [{ sourceTopic: 'orders', targetTopic: 'orders-r', partition: 0, manifest: { segments } as PartitionManifest, records: 0, storedBytes: 0, rawBytes: 0 }],
  };
  const last = batches.at(-1)!.header.lastOffset;
  return { storage, plan, records, last };
}

describe('planGroupOffsets', () => {
  test('predicted and restored target offsets equal brute force, for every committed offset, with and without a filter', async () => {
    const probe = await fixture([]);
    const offsets = Array.from({ length: probe.last - 100 + 4 }, (_, i) => 98 + i);
    const { storage, plan, records } = await fixture(offsets);
    const times = records.map((r) => r.timestamp).sort((a, b) => a - b);
    const filters = [{}, { time_window_start: times[10]!, time_window_end: times[records.length - 20]! }, { start_offset: 130, end_offset: 190 }];
    for (const restore of filters) {
      const config = configWith({ consumer_groups: ['*'], ...restore });
      const filter = restoreFilterFor(config.restore, 'orders', 0);
      const restored = records.filter((r) => !filter || recordMatches(filter, r.offset, r.timestamp));
      const start = 40;
      const predicted = await planGroupOffsets(config, plan, storage, () => ({ prior: undefined, endOffset: start }));
      // The same plan after a restore: the offset map of exactly those records.
      const map = new OffsetMapBuilder();
      restored.forEach((r, i) => map.add(r.offset, r.offset, start + i));
      const state = { source_topic: 'orders', source_partition: 0, state: 'complete', target_start_offset: start, records_written: restored.length, offset_map: map.runs } as RestoreState;
      const after = await planGroupOffsets(config, plan, storage, (): TargetPartitionState => ({ prior: state, endOffset: start + restored.length }));
      assert.deepEqual(predicted.problems, []);
      assert.equal(predicted.groups.length, offsets.length);
      for (const [i, c] of offsets.entries()) {
        const want = start + restored.filter((r) => r.offset < c).length;
        const p = predicted.groups[i]!.partitions;
        assert.deepEqual(p.map((x) => [x.targetTopic, x.committed, x.target, x.basis, x.metadata]), [['orders-r', c, want, 'predicted', `m${c}`]], `committed ${c}, ${JSON.stringify(restore)}`);
        assert.deepEqual(after.groups[i]!.partitions.map((x) => [x.target, x.basis]), [[want, 'restored']], `committed ${c} after the restore`);
      }
    }
  });

  test('group mapping, a target group claimed twice, and no capture as of the window end', async () => {
    const { storage, plan } = await fixture([105, 110]);
    const mapped = await planGroupOffsets(configWith({ consumer_groups: ['g105', 'g110'], consumer_group_mapping: { g105: 'x', g110: 'x' } }), plan, storage, () => ({ prior: undefined, endOffset: 0 }));
    assert.deepEqual(mapped.groups.map((g) => [g.sourceGroup, g.targetGroup]), [['g105', 'x'], ['g110', 'x']]);
    assert.deepEqual(mapped.problems, ['consumer groups g105 and g110 would both be committed as x']);
    const only = await planGroupOffsets(configWith({ consumer_groups: ['g105'] }), plan, storage, () => ({ prior: undefined, endOffset: 0 }));
    assert.deepEqual(only.groups.map((g) => g.sourceGroup), ['g105']);
    const early = await planGroupOffsets(configWith({ consumer_groups: ['*'], time_window_end: 999 }), plan, storage, () => undefined);
    assert.deepEqual(early.groups, []);
    assert.match(early.problems[0]!, /no consumer-group capture at or before restore\.time_window_end \(1970-01-01T00:00:00\.999Z\); its first is from 1970-01-01T00:00:01\.000Z/);
    const none = await planGroupOffsets(configWith({ consumer_groups: ['*'] }), plan, new MemoryBackend(), () => undefined);
    assert.match(none.problems[0]!, /has no consumer-group capture \(set backup\.consumer_groups/);
    const unknown = await planGroupOffsets(configWith({ consumer_groups: ['*'] }), plan, storage, () => undefined);
    assert.equal(unknown.groups[0]!.partitions[0]!.target, undefined, 'target not checked: unknown');
  });
});

describe('planGroupOffsets: restore states that do not fit', () => {
  test('a state restored from another source, or a target that ends before the state, is a problem, not a guess', async () => {
    const { storage, plan } = await fixture([105]);
    const config = configWith({ consumer_groups: ['*', 'absent'], consumer_group_mapping: { nobody: 'x' } });
    const other = { source_topic: 'payments', source_partition: 0, state: 'complete', target_start_offset: 0, records_written: 3, offset_map: [[100, 102, 0]] } as unknown as RestoreState;
    const a = await planGroupOffsets(config, plan, storage, () => ({ prior: other, endOffset: 3 }));
    assert.deepEqual(a.problems, ['orders-r/0 was restored from payments/0, not orders/0: its offset map does not apply']);
    assert.equal(a.groups[0]!.partitions[0]!.target, undefined);
    assert.deepEqual(a.warnings, [
      'consumer group absent is not in the capture of 1970-01-01T00:00:01.000Z (it had no committed offsets on the backed-up topics, or backup.consumer_groups did not select it)',
      'restore.consumer_group_mapping names nobody, which is not a selected captured group: the mapping does nothing',
    ]);
    const truncated = await planGroupOffsets(config, plan, storage, () => ({ prior: { ...other, source_topic: 'orders' }, endOffset: 2 }));
    assert.deepEqual(truncated.problems, ['orders-r/0 ends at offset 2, before the 3 its restore reached: the topic was truncated or recreated since']);
  });
});

describe('applyGroupOffsets', () => {
  const state = { source_topic: 'orders', source_partition: 0, state: 'complete', target_start_offset: 0, records_written: 3, offset_map: [[100, 102, 0]] } as unknown as RestoreState;
  const ledger = (storage: MemoryBackend, force = false) => ({ storage, backupId: 'b', clusterId: 'T1', force, log });

  test('commits restored groups with their metadata; active and not-yet-restored groups are problems and untouched', async () => {
    const { storage, plan } = await fixture([105, 110, 120]);
    const config = configWith({ consumer_groups: ['*'], consumer_group_mapping: { g120: 'busy' } });
    const restoredPlan = await planGroupOffsets(config, plan, storage, () => ({ prior: state, endOffset: 3 }));
    const admin = new FakeGroupAdmin({ busy: { offsets: [], members: 1 } });
    const result = await applyGroupOffsets(restoredPlan, admin, ledger(storage));
    assert.deepEqual(admin.commits, [
      { groupId: 'g105', offsets: [committed('orders-r', 0, 3, 'm105')] },
      { groupId: 'g110', offsets: [committed('orders-r', 0, 3, 'm110')] },
    ]);
    assert.deepEqual(result.committed, [{ group: 'g105', partitions: 1 }, { group: 'g110', partitions: 1 }]);
    assert.deepEqual(result.problems, ['consumer group busy is active on the target (state Stable, 1 members): stop them, then run `kafka-backup offsets apply` again']);

    const predicted = await planGroupOffsets(config, plan, storage, () => ({ prior: undefined, endOffset: 0 }));
    const idle = new FakeGroupAdmin();
    const r2 = await applyGroupOffsets(predicted, idle, ledger(new MemoryBackend()));
    assert.deepEqual(idle.commits, []);
    assert.equal(r2.problems.length, 3);
    assert.match(r2.problems[0]!, /^consumer group g105: partitions orders-r\/0 are not completely restored yet/);
  });

  test('a group committed from this capture before is left as it is (it may have consumed since), unless forced', async () => {
    const { storage, plan } = await fixture([105]);
    const restoredPlan = await planGroupOffsets(configWith({ consumer_groups: ['*'] }), plan, storage, () => ({ prior: state, endOffset: 3 }));
    const admin = new FakeGroupAdmin();
    assert.deepEqual((await applyGroupOffsets(restoredPlan, admin, ledger(storage))).committed, [{ group: 'g105', partitions: 1 }]);
    admin.groups.g105!.offsets = [committed('orders-r', 0, 3, 'moved on')]; // consumed since
    const again = await applyGroupOffsets(restoredPlan, admin, ledger(storage));
    assert.deepEqual([again.committed, again.unchanged, again.problems], [[], ['g105'], []]);
    assert.equal(admin.commits.length, 1);
    const forced = await applyGroupOffsets(restoredPlan, admin, ledger(storage, true));
    assert.deepEqual(forced.committed, [{ group: 'g105', partitions: 1 }]);
    assert.equal(admin.commits.length, 2);
  });

  test('two captured groups mapped onto one target group: neither is committed', async () => {
    const { storage, plan } = await fixture([105, 110]);
    const config = configWith({ consumer_groups: ['*'], consumer_group_mapping: { g105: 'x', g110: 'x' } });
    const restoredPlan = await planGroupOffsets(config, plan, storage, () => ({ prior: state, endOffset: 3 }));
    const admin = new FakeGroupAdmin();
    const r = await applyGroupOffsets(restoredPlan, admin, ledger(storage));
    assert.deepEqual(admin.commits, []);
    assert.deepEqual(r.problems, ['consumer groups g105 and g110 would both be committed as x']);
  });
});
