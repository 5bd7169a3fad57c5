// A LogAppendTime source topic restored into a CreateTime topic: the restored records carry the
// source's log-append timestamps (what the source's consumers saw) as their CreateTime. This is the
// product's documented choice (docs/design.md, invariant 10).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertDenseOffsets, assertSameRecords, dumpWithChecker, produceWithChecker, type CheckerLine } from './helpers/checker.js';
import { bootstrap, unique } from './helpers/env.js';
import { assertSamePartitionCount, assertStatusMatches, backupAndRestore, bytes, fieldVariety, recentTimestamps } from './helpers/fixtures.js';
import { createTopic } from './helpers/kafka-tools.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('round trip: LogAppendTime source', () => {
  test('restored records have CreateTime equal to the source log-append times', async () => {
    const b = bootstrap();
    const source = unique('rt-lat');
    const target = `${source}-restored`;
    await createTopic(b, source, 2, { 'message.timestamp.type': 'LogAppendTime' });

    // Several produce runs a little apart, so batches get different log-append times. Every record
    // asks for a CreateTime hours in the past, which the broker replaces.
    const hoursAgo = Date.now() - 3 * 3_600_000;
    const variety = recentTimestamps(fieldVariety(2, 10)).filter((l) => !('partition' in l) || (l.value?.length ?? 0) < 100_000);
    for (let run = 0; run < 3; run++) {
      const lines: CheckerLine[] = variety.map((l) => ('partition' in l ? { ...l, timestamp: hoursAgo + run } : l));
      lines.push({ partition: run % 2, key: bytes(`run-${run}`), value: bytes(`run ${run}`), headers: [], timestamp: hoursAgo });
      await produceWithChecker({ bootstrap: b, topic: source }, lines);
      await sleep(50);
    }

    const before = await dumpWithChecker(b, source);
    assert.ok(before.length > 0);
    assert.ok(before.every((r) => r.timestampType === 'log_append'), 'source records are LogAppendTime');
    assert.ok(before.every((r) => r.timestamp > hoursAgo + 3_600_000), 'the broker replaced the producer timestamps');
    assert.ok(new Set(before.map((r) => r.timestamp)).size > 1, 'batches have different log-append times');

    const rt = await backupAndRestore({ bootstrap: b, mapping: { [source]: target } });

    const after = await dumpWithChecker(b, target);
    assert.ok(after.every((r) => r.timestampType === 'create'), 'the restored topic is CreateTime');
    assert.deepEqual(
      after.map((r) => [r.partition, r.timestamp]),
      before.map((r) => [r.partition, r.timestamp]),
      'each restored record carries the source log-append time',
    );
    // Every other field is unchanged too.
    assertSameRecords(before.map((r) => ({ ...r, timestampType: 'create' as const })), after);
    assertDenseOffsets(after);
    await assertSamePartitionCount(b, source, target, 2);
    await assertStatusMatches(rt.config, { [source]: { partitions: 2, records: before } });
  });
});
