// Empty data: a topic with no records and a topic with an empty partition back up and restore; the
// target topics exist with the source's partition counts and the same (lack of) records.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertDenseOffsets, assertSameRecords, dumpWithChecker, produceWithChecker, type CheckerLine } from './helpers/checker.js';
import { bootstrap, unique } from './helpers/env.js';
import { assertSamePartitionCount, assertStatusMatches, backupAndRestore, bytes } from './helpers/fixtures.js';
import { createTopic, endOffsets } from './helpers/kafka-tools.js';

describe('round trip: empty topics and partitions', () => {
  test('an empty topic and a topic with an empty middle partition restore with their partition counts', async () => {
    const b = bootstrap();
    const empty = unique('rt-empty');
    const holey = unique('rt-holey');
    await createTopic(b, empty, 2);
    await createTopic(b, holey, 3);
    const now = Date.now();
    const lines: CheckerLine[] = [];
    for (let i = 0; i < 20; i++) {
      lines.push({ partition: i % 2 === 0 ? 0 : 2, key: bytes(`k${i}`), value: bytes(`v${i}`), headers: [['i', bytes(String(i))]], timestamp: now - 1000 + i });
    }
    await produceWithChecker({ bootstrap: b, topic: holey }, lines);

    const mapping = { [empty]: `${empty}-restored`, [holey]: `${holey}-restored` };
    const beforeEmpty = await dumpWithChecker(b, empty);
    const beforeHoley = await dumpWithChecker(b, holey);
    assert.equal(beforeEmpty.length, 0);
    assert.deepEqual(new Set(beforeHoley.map((r) => r.partition)), new Set([0, 2]), 'partition 1 is empty');

    const rt = await backupAndRestore({ bootstrap: b, mapping });

    await assertSamePartitionCount(b, empty, mapping[empty]!, 2);
    await assertSamePartitionCount(b, holey, mapping[holey]!, 3);
    assert.deepEqual(await dumpWithChecker(b, mapping[empty]!), []);
    const afterHoley = await dumpWithChecker(b, mapping[holey]!);
    assertSameRecords(beforeHoley, afterHoley);
    assertDenseOffsets(afterHoley);
    assert.deepEqual(
      [...(await endOffsets(b, mapping[holey]!)).entries()].sort(),
      [[0, 10], [1, 0], [2, 10]],
      'target end offsets (GetOffsetShell)',
    );
    await assertStatusMatches(rt.config, {
      [empty]: { partitions: 2, records: beforeEmpty },
      [holey]: { partitions: 3, records: beforeHoley },
    });
  });
});
