import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { listGroupCaptures, readGroupCapture } from '../../../src/format/group-offsets.js';
import { GroupCapturer } from '../../../src/pipeline/backup/group-capture.js';
import { MemoryBackend } from '../../storage/memory-backend.js';
import { FakeGroupAdmin, committed } from '../fake-group-admin.js';

const log = pino({ level: 'silent' });
const settings = { backupId: 'b', clusterId: 'C', groups: ['billing-*', 'exact-only'], topics: ['orders', 'payments'] };

describe('GroupCapturer', () => {
  test('captures the selected groups offsets on the backed-up topics only, and groups with none are left out', async () => {
    const admin = new FakeGroupAdmin({
      'billing-a': { offsets: [committed('orders', 0, 10, 'meta'), committed('audit', 0, 3), committed('payments', 2, 7)], members: 2 },
      'billing-b': { offsets: [committed('audit', 0, 1)] },
      'exact-only': { offsets: [committed('orders', 1, 4)] },
      other: { offsets: [committed('orders', 0, 99)] },
    });
    const storage = new MemoryBackend();
    let now = 5000;
    const c = new GroupCapturer(storage, admin, settings, log, () => now);
    assert.ok(await c.capture());
    assert.equal(c.groupCount, 2);
    const got = await readGroupCapture(storage, 'b', 5000);
    assert.deepEqual(got.groups, [
      { group_id: 'billing-a', state: 'Stable', offsets: [committed('orders', 0, 10, 'meta'), committed('payments', 2, 7)] },
      { group_id: 'exact-only', state: 'Empty', offsets: [committed('orders', 1, 4)] },
    ]);
    assert.equal(got.source_cluster_id, 'C');

    now = 6000;
    assert.equal(await c.capture(), undefined, 'unchanged offsets are not stored again');
    admin.groups['billing-a']!.offsets[0] = committed('orders', 0, 11, 'meta');
    assert.ok(await c.capture());
    assert.deepEqual(await listGroupCaptures(storage, 'b'), [5000, 6000]);
    assert.equal((await readGroupCapture(storage, 'b', 6000)).groups[0]!.offsets[0]!.offset, 11);
  });

  test('two captures in the same millisecond get distinct keys', async () => {
    const admin = new FakeGroupAdmin({ 'billing-a': { offsets: [committed('orders', 0, 1)] } });
    const storage = new MemoryBackend();
    const c = new GroupCapturer(storage, admin, settings, log, () => 7000);
    await c.capture();
    admin.groups['billing-a']!.offsets = [committed('orders', 0, 2)];
    await c.capture();
    assert.deepEqual(await listGroupCaptures(storage, 'b'), [7000, 7001]);
  });

  test('overlapping captures run one after another: a later capture never holds older offsets', async () => {
    const admin = new FakeGroupAdmin({ 'billing-a': { offsets: [committed('orders', 0, 1)] } });
    // The first capture reads slowly; the offset moves to 5 while it is still running.
    const slow = admin.committedOffsets.bind(admin);
    let calls = 0;
    admin.committedOffsets = async (id, topics) => {
      const first = calls++ === 0;
      const got = await slow(id, topics);
      if (first) {
        admin.groups['billing-a']!.offsets = [committed('orders', 0, 5)];
        await new Promise((r) => setTimeout(r, 20));
      }
      return got;
    };
    const storage = new MemoryBackend();
    let now = 1000;
    const c = new GroupCapturer(storage, admin, settings, log, () => now++);
    await Promise.all([c.capture(), c.capture()]);
    const times = await listGroupCaptures(storage, 'b');
    const offsets = await Promise.all(times.map(async (t) => (await readGroupCapture(storage, 'b', t)).groups[0]!.offsets[0]!.offset));
    assert.deepEqual(offsets, [1, 5], 'captures in time order hold offsets in the order they were read');
  });

    test('a source that cannot read groups is an error, not a silent skip', () => {
    assert.throws(() => new GroupCapturer(new MemoryBackend(), undefined, settings, log), { code: 'INTERNAL' });
  });
});
