// Byte-exact round trip of every record field: fixtures produced by librdkafka (kcheck) and Kafka's
// VerifiableProducer, backed up and restored by the real CLI, read back by kcheck. Source and target
// must hold the same records per partition in the same order; only offsets may differ.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertDenseOffsets, assertSameRecords, dumpWithChecker, produceWithChecker } from './helpers/checker.js';
import { bootstrap, unique } from './helpers/env.js';
import {
  ACCEPT_ANY_TIMESTAMP,
  SPREAD_TIMESTAMPS,
  assertSamePartitionCount,
  assertStatusMatches,
  backupAndRestore,
  bytes,
  fieldVariety,
  recentTimestamps,
  produceEpochZero,
} from './helpers/fixtures.js';
import { createTopic } from './helpers/kafka-tools.js';

describe('round trip: record fields', () => {
  test('keys, values, headers and CreateTime over decades survive backup and restore exactly (3 partitions)', async () => {
    const b = bootstrap();
    const source = unique('rt-fields');
    const target = `${source}-restored`;
    await createTopic(b, source, 3, ACCEPT_ANY_TIMESTAMP);
    // The target must accept the 2099 timestamps too. A topic the restore creates gets the broker
    // defaults (message.timestamp.after.max.ms = 1 hour in Kafka 4), so it is created here, empty.
    await createTopic(b, target, 3, ACCEPT_ANY_TIMESTAMP);

    const lines = fieldVariety(3, 40);
    await produceWithChecker({ bootstrap: b, topic: source }, lines);
    await produceEpochZero(b, source, 3);

    const before = await dumpWithChecker(b, source);
    // The fixture itself is what the test claims to cover.
    assert.equal(before.length, lines.filter((l) => 'partition' in l).length + 3);
    const stamps = new Set(before.map((r) => r.timestamp));
    for (const t of [0, ...Object.values(SPREAD_TIMESTAMPS)]) assert.ok(stamps.has(t), `fixture has timestamp ${t}`);
    assert.ok(before.every((r) => r.timestampType === 'create'));
    assert.ok(before.some((r) => r.key === null) && before.some((r) => r.key?.length === 0), 'null and empty keys');
    assert.ok(before.some((r) => r.value === null) && before.some((r) => r.value?.length === 0), 'tombstones and empty values');
    assert.ok(before.some((r) => r.headers.some(([n]) => n === '日本語')), 'non-ASCII header names');
    assert.ok(before.some((r) => r.headers.some(([, v]) => v === null)), 'null header values');
    assert.deepEqual(new Set(before.map((r) => r.partition)), new Set([0, 1, 2]));

    const rt = await backupAndRestore({ bootstrap: b, mapping: { [source]: target } });

    const after = await dumpWithChecker(b, target);
    assertSameRecords(before, after);
    assertDenseOffsets(after);
    assert.deepEqual(after.map((r) => r.partition), before.map((r) => r.partition), 'records restored to the same partition numbers');
    // Spot checks that say what a failure means in plain terms.
    const dup = after.find((r) => r.headers.filter(([n]) => n === 'dup').length === 3);
    assert.ok(dup, 'a record with three "dup" headers');
    assert.deepEqual(
      dup.headers.filter(([n]) => n === 'dup').map(([, v]) => v?.toString()),
      ['1', '2', '3'],
      'duplicate header names keep their order',
    );
    const big = after.filter((r) => r.key?.toString().startsWith('big-'));
    assert.equal(big.length, 3);
    assert.ok(big.every((r) => r.value?.length === 200_000));
    assert.ok(after.some((r) => r.key?.equals(bytes('ключ-🔑'))));

    await assertSamePartitionCount(b, source, target, 3);
    await assertStatusMatches(rt.config, { [source]: { partitions: 3, records: before } });
  });

  test('restore into the topic the restore creates keeps partition count and records (recent timestamps, small produce batches)', async () => {
    const b = bootstrap();
    const source = unique('rt-created');
    const target = `${source}-restored`;
    await createTopic(b, source, 2);
    // The created target has the broker defaults (7 days retention, at most 1 hour ahead).
    const lines = recentTimestamps(fieldVariety(2, 30));
    await produceWithChecker({ bootstrap: b, topic: source, lingerMs: 5 }, lines);
    const before = await dumpWithChecker(b, source);

    const rt = await backupAndRestore({ bootstrap: b, mapping: { [source]: target }, restore: { produce_batch_size: 7 } });

    const after = await dumpWithChecker(b, target);
    assertSameRecords(before, after);
    assertDenseOffsets(after);
    await assertSamePartitionCount(b, source, target, 2);
    await assertStatusMatches(rt.config, { [source]: { partitions: 2, records: before } });
  });
});
