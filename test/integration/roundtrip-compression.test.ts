// Producer-compressed batches (gzip, snappy, lz4, zstd from librdkafka; lz4 also from the Java
// producer via ProducerPerformance) survive backup and restore: the target holds the same records in
// batches of the same codec, and Kafka's DumpLogSegments shows the source batches really were.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertDenseOffsets, assertSameRecords, dumpWithChecker, produceWithChecker, type CheckerLine, type Compression } from './helpers/checker.js';
import { bootstrap, unique } from './helpers/env.js';
import { assertSamePartitionCount, assertStatusMatches, backupAndRestore, batchCodecs, bytes, fieldVariety, recentTimestamps, pseudoRandom } from './helpers/fixtures.js';
import { createTopic, kafkaTool } from './helpers/kafka-tools.js';

const CODECS: Exclude<Compression, 'none'>[] = ['gzip', 'snappy', 'lz4', 'zstd'];

/** Compressible records (repeated text) mixed with the field variety and some incompressible ones. */
function compressionFixture(): CheckerLine[] {
  const now = Date.now();
  const lines: CheckerLine[] = recentTimestamps(fieldVariety(2, 20)).filter((l) => !('partition' in l) || l.value === null || l.value.length < 100_000);
  for (let i = 0; i < 400; i++) {
    lines.push({
      partition: i % 2,
      key: bytes(`order-${i % 17}`),
      value: i % 10 === 0 ? pseudoRandom(i + 1, 512) : bytes(`{"order":${i},"status":"shipped","note":"${'lorem ipsum '.repeat(i % 20)}"}`),
      headers: [['seq', bytes(String(i))]],
      timestamp: now - 60_000 + i,
    });
    if (i % 100 === 99) lines.push({ flush: true });
  }
  return lines;
}

describe('round trip: producer compression', () => {
  test('gzip, snappy, lz4 and zstd batches from librdkafka, and lz4 from the Java producer, restore to equal records', async () => {
    const b = bootstrap();
    const base = unique('rt-codec');
    const topics = new Map<string, string>(); // source → codec it was produced with
    const fixture = compressionFixture();
    await Promise.all(
      CODECS.map(async (codec) => {
        const topic = `${base}-${codec}`;
        topics.set(topic, codec);
        await createTopic(b, topic, 2);
        await produceWithChecker({ bootstrap: b, topic, compression: codec, lingerMs: 50 }, fixture);
      }),
    );
    const javaTopic = `${base}-java-lz4`;
    topics.set(javaTopic, 'lz4');
    await createTopic(b, javaTopic, 2);
    await kafkaTool('org.apache.kafka.tools.ProducerPerformance', [
      '--bootstrap-server', b, '--topic', javaTopic, '--num-records', '3000', '--record-size', '700', '--throughput', '-1',
      '--command-property', 'acks=all', 'linger.ms=20', 'compression.type=lz4', 'batch.size=65536',
    ]);

    // The fixtures are what the test claims: every source batch compressed with its codec.
    const codecs = await batchCodecs([...topics.keys()].flatMap((topic) => [0, 1].map((partition) => ({ topic, partition }))));
    for (const [topic, codec] of topics) {
      for (const p of [0, 1]) {
        const got = codecs.get(`${topic}/${p}`)!;
        assert.ok(got.length > 1, `${topic}/${p} has batches`);
        assert.deepEqual(new Set(got), new Set([codec]), `${topic}/${p} batches are ${codec}`);
      }
    }

    const mapping = Object.fromEntries([...topics.keys()].map((t) => [t, `${t}-restored`]));
    const sources = new Map<string, Awaited<ReturnType<typeof dumpWithChecker>>>();
    for (const t of topics.keys()) sources.set(t, await dumpWithChecker(b, t));
    assert.equal(sources.get(javaTopic)!.length, 3000);
    assert.equal(sources.get(`${base}-zstd`)!.length, fixture.filter((l) => 'partition' in l).length);

    const rt = await backupAndRestore({ bootstrap: b, mapping });

    for (const [source, target] of Object.entries(mapping)) {
      const before = sources.get(source)!;
      const after = await dumpWithChecker(b, target);
      assertSameRecords(before, after, target);
      assertDenseOffsets(after, target);
      await assertSamePartitionCount(b, source, target, 2);
    }
    // Restored batches keep their producer's codec (passed through, or rebuilt with the same codec).
    const targetCodecs = await batchCodecs(Object.values(mapping).flatMap((topic) => [0, 1].map((partition) => ({ topic, partition }))));
    for (const [source, target] of Object.entries(mapping)) {
      for (const p of [0, 1]) {
        assert.deepEqual(new Set(targetCodecs.get(`${target}/${p}`)), new Set([topics.get(source)!]), `${target}/${p} batches keep the codec`);
      }
    }
    await assertStatusMatches(
      rt.config,
      Object.fromEntries([...sources].map(([t, records]) => [t, { partitions: 2, records }])),
    );
  });
});
