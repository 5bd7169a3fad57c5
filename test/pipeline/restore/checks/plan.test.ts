import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '../../../../src/config/load.js';
import { isKafkaBackupError } from '../../../../src/errors.js';
import { descriptorKey, manifestKey } from '../../../../src/format/layout.js';
import { planRestore, planRestoreChecked } from '../../../../src/pipeline/restore/checks/plan.js';
import { assertFailsWith } from '../../../assert-error.js';
import { goldenStorage, threePartitions, writePartition } from '../../../inspect/fixtures.js';
import { MemoryBackend } from '../../../storage/memory-backend.js';

function configFor(id: string, restore: Record<string, unknown> = {}) {
  const text = JSON.stringify({ backup_id: id, target: { bootstrap_servers: ['k:9092'] }, storage: { backend: 'filesystem', path: '/tmp/x' }, restore });
  return parseConfig(text, 'test.yaml');
}

const parts = (plan: { partitions: { sourceTopic: string; partition: number }[] }) => plan.partitions.map((p) => `${p.sourceTopic}/${p.partition}`);

describe('planRestore', () => {
  test('a complete backup: every partition, partition counts from the descriptor, topic mapping', async () => {
    const plan = await planRestore(configFor('nightly', { topic_mapping: { t: 't-copy' } }), await threePartitions());
    assert.deepEqual(parts(plan), ['t/0', 't/1', 't/2', 'u/0']);
    assert.deepEqual(plan.topics, [{ sourceTopic: 't', targetTopic: 't-copy', partitions: 3 }, { sourceTopic: 'u', targetTopic: 'u', partitions: 1 }]);
    assert.deepEqual(plan.partitions.map((p) => p.records), [5, 5, 0, 1]);
    assert.equal((await planRestore(configFor('zstd-backup'), await goldenStorage())).partitions[0]!.records, 41);
  });

  test('manifests of a topic backup.json does not list yet (a run that had not finished planning) are not restored', async () => {
    const storage = await threePartitions();
    await writePartition(storage, 'nightly', 'late', 0, []);
    await writePartition(storage, 'nightly', 'late', 1, []);
    const plan = await planRestore(configFor('nightly'), storage);
    assert.deepEqual(parts(plan), ['t/0', 't/1', 't/2', 'u/0']);
    assert.deepEqual(plan.topics.map((t) => t.sourceTopic), ['t', 'u']);
  });

  test('a missing manifest of one of three partitions: refused before anything is written, the partition named', async () => {
    const storage = await threePartitions();
    await storage.delete(manifestKey('nightly', 't', 1));
    await assertFailsWith(planRestore(configFor('nightly'), storage), 'BACKUP_CORRUPT', /nothing was restored:\n {2}- t\/1: partition manifest nightly\/topics\/t\/1\/manifest.json is missing/);
    // Damage of a topic not restored does not stand in the way.
    assert.deepEqual(parts(await planRestore(configFor('nightly', { topics: { include: ['u'] } }), storage)), ['u/0']);
  });

  test('backup.json missing or not valid JSON: refused; planRestoreChecked still plans from the manifests', async () => {
    for (const damage of [(s: MemoryBackend) => s.delete(descriptorKey('nightly')), (s: MemoryBackend) => s.put(descriptorKey('nightly'), Buffer.from('[')).then(() => undefined)]) {
      const storage = await threePartitions();
      await damage(storage);
      await assertFailsWith(planRestore(configFor('nightly', { topics: { include: ['u'] } }), storage), 'BACKUP_CORRUPT', /nightly\/backup.json (is missing|is not valid JSON)/);
      const { plan, problems } = await planRestoreChecked(configFor('nightly'), storage);
      assert.equal(plan.descriptor, undefined);
      assert.deepEqual(parts(plan), ['t/0', 't/1', 't/2', 'u/0']);
      assert.equal(problems.damage.length, 1);
    }
  });

  test('a missing segment: refused naming it; planRestoreChecked leaves its partition out of the plan', async () => {
    const storage = await threePartitions();
    const key = (await planRestore(configFor('nightly'), storage)).partitions[0]!.manifest.segments[1]!.key;
    await storage.delete(key);
    await assertFailsWith(planRestore(configFor('nightly'), storage), 'BACKUP_CORRUPT', new RegExp(`t/0: segment ${key} \\(offsets 3..4, 2 records\\) is listed in its manifest but missing`));
    const { plan, problems } = await planRestoreChecked(configFor('nightly'), storage);
    assert.deepEqual(parts(plan), ['t/1', 't/2', 'u/0']);
    assert.equal(problems.damage.length, 1);
  });

  test('restore.topics naming a topic not in the backup: a config mistake (CONFIG_INVALID), listed by planRestoreChecked', async () => {
    const storage = await threePartitions();
    await assertFailsWith(planRestore(configFor('nightly', { topics: { include: ['t', 'nope'] } }), storage), 'CONFIG_INVALID', /restore.topics.include names nope, not in backup "nightly" \(it holds t, u\)/);
    await assertFailsWith(planRestore(configFor('nightly', { topics: { include: ['x-*'] } }), storage), 'CONFIG_INVALID', /no topic of backup "nightly" matches restore.topics/);
    const { plan, problems } = await planRestoreChecked(configFor('nightly', { topics: { include: ['t', 'nope'] } }), storage);
    assert.deepEqual(problems.selection, ['restore.topics.include names nope, not in backup "nightly" (it holds t, u)']);
    assert.deepEqual(parts(plan), ['t/0', 't/1', 't/2']);
  });

  test('nothing of the backup exists: BACKUP_NOT_FOUND', async () => {
    await assert.rejects(planRestore(configFor('other'), await threePartitions()), (err) => isKafkaBackupError(err, 'BACKUP_NOT_FOUND') && /no backup "other"/.test(err.message));
  });
});
