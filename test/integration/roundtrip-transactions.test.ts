// Transactions: committed and aborted transactions of two transactional producers, open at the same
// time and spanning partitions, interleaved with a plain producer's records. The restored topic holds
// exactly the committed and non-transactional records, in log order, and no aborted record, whether
// it is read read_committed or read_uncommitted: aborted data is never restored.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertDenseOffsets, assertSameRecords, byPartition, dumpWithChecker, produceWithChecker, type CheckerLine, type DumpedRecord } from './helpers/checker.js';
import { bootstrap, unique } from './helpers/env.js';
import { assertSamePartitionCount, assertStatusMatches, backupAndRestore, bytes } from './helpers/fixtures.js';
import { createTopic } from './helpers/kafka-tools.js';

interface Script {
  lines: CheckerLine[];
  /** Values per partition in log order: what read_committed must show. */
  visible: Map<number, string[]>;
  aborted: Set<string>;
}

/**
 * Producers: T1 and T2 (transactional), P (plain). Each step's records are acknowledged (flush)
 * before the next step, so the log order of a partition is the order written here.
 */
function transactionScript(): Script {
  const lines: CheckerLine[] = [];
  const visible = new Map<number, string[]>([[0, []], [1, []]]);
  const aborted = new Set<string>();
  const pending = new Map<string, { partition: number; value: string }[]>();
  const now = Date.now();
  let n = 0;
  const send = (producer: string, partition: number, count: number, tag: string) => {
    for (let i = 0; i < count; i++) {
      const value = `${tag}-${i}`;
      lines.push({ producer, partition, key: bytes(`k${n % 5}`), value: bytes(value), headers: [['tag', bytes(tag)]], timestamp: now - 10_000 + n++ });
      if (producer === 'P') visible.get(partition)!.push(value);
      else pending.get(producer)!.push({ partition, value });
    }
    lines.push({ flush: true, producer });
  };
  const txn = (producer: string, op: 'begin' | 'commit' | 'abort') => {
    if (op === 'begin') pending.set(producer, []);
    else {
      for (const r of pending.get(producer)!) {
        if (op === 'commit') visible.get(r.partition)!.push(r.value);
        else aborted.add(r.value);
      }
      pending.delete(producer);
    }
    lines.push({ txn: op, producer });
  };
  // `visible` takes committed records at the commit, so no plain record may be written while a
  // transaction that commits is open (aborted ones may interleave with anything): true below.
  send('P', 0, 3, 'plain-a');
  send('P', 1, 2, 'plain-b');
  txn('T2', 'begin');
  send('T2', 0, 4, 'aborted-1'); // open, aborted later, interleaves with T1's committed records
  send('T2', 1, 2, 'aborted-2');
  txn('T1', 'begin');
  send('T1', 0, 3, 'committed-1');
  send('T1', 1, 3, 'committed-2');
  txn('T1', 'commit');
  txn('T2', 'abort');
  send('P', 0, 2, 'plain-c');
  txn('T1', 'begin');
  send('T1', 1, 5, 'aborted-3');
  txn('T1', 'abort');
  txn('T2', 'begin');
  send('T2', 0, 2, 'committed-3');
  send('T2', 1, 2, 'committed-4');
  txn('T2', 'commit');
  send('P', 1, 3, 'plain-d');
  txn('T1', 'begin');
  send('T1', 0, 6, 'committed-5');
  txn('T1', 'commit');
  txn('T2', 'begin');
  send('T2', 0, 3, 'aborted-4'); // both partitions end with aborted data and an abort marker
  send('T2', 1, 3, 'aborted-5');
  txn('T2', 'abort');
  return { lines, visible, aborted };
}

const values = (records: DumpedRecord[]) => records.map((r) => r.value!.toString());

describe('round trip: transactions', () => {
  test('only committed and non-transactional records are restored, in order; aborted ones never', async () => {
    const b = bootstrap();
    const source = unique('rt-txn');
    const target = `${source}-restored`;
    await createTopic(b, source, 2);
    const script = transactionScript();
    await produceWithChecker(
      { bootstrap: b, topic: source, producers: { T1: `${source}-t1`, T2: `${source}-t2`, P: null } },
      script.lines,
    );

    // The fixture: read_committed shows exactly the expected records, read_uncommitted also the aborted ones.
    const committed = await dumpWithChecker(b, source, 'read_committed');
    const everything = await dumpWithChecker(b, source, 'read_uncommitted');
    for (const [p, expected] of script.visible) {
      assert.deepEqual(values(byPartition(committed).get(p) ?? []), expected, `source ${p} read_committed`);
    }
    const abortedInSource = values(everything).filter((v) => script.aborted.has(v));
    assert.equal(abortedInSource.length, script.aborted.size, 'every aborted record is in the source log');
    const offsets = committed.filter((r) => r.partition === 0).map((r) => r.offset);
    assert.ok(offsets.some((o, i) => i > 0 && o !== offsets[i - 1]! + 1), 'source offsets have gaps (aborted records and markers)');

    const rt = await backupAndRestore({ bootstrap: b, mapping: { [source]: target } });

    for (const isolation of ['read_committed', 'read_uncommitted'] as const) {
      const after = await dumpWithChecker(b, target, isolation);
      assertSameRecords(committed, after, `${target} (${isolation})`);
      assertDenseOffsets(after, `${target} (${isolation})`);
      const leaked = values(after).filter((v) => script.aborted.has(v) || v.startsWith('aborted-'));
      assert.deepEqual(leaked, [], `aborted records in ${target} read ${isolation}`);
    }
    await assertSamePartitionCount(b, source, target, 2);
    await assertStatusMatches(rt.config, { [source]: { partitions: 2, records: committed } });
  });
});
