// A compacted topic whose log really has offset gaps (the broker's log cleaner ran): the restored
// topic holds the same records in the same order, at dense offsets.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertDenseOffsets, assertSameRecords, byPartition, dumpWithChecker, produceWithChecker, type CheckerLine, type DumpedRecord } from './helpers/checker.js';
import { bootstrap, unique } from './helpers/env.js';
import { alterTopicConfig, assertSamePartitionCount, assertStatusMatches, backupAndRestore, bytes, waitFor } from './helpers/fixtures.js';
import { createTopic } from './helpers/kafka-tools.js';

const HOT_KEYS = 5;
const ROUNDS = 25;
const PER_ROUND = HOT_KEYS + 1;

/**
 * ROUNDS rounds per partition: every hot key updated (hot-0 deleted by a tombstone every fifth
 * round), plus one key written only in that round. Compaction keeps the once-keys at their old
 * offsets and drops the hot keys' old values around them: gaps.
 */
function updates(partitions: number): CheckerLine[] {
  const lines: CheckerLine[] = [];
  const now = Date.now();
  for (let round = 0; round < ROUNDS; round++) {
    for (let p = 0; p < partitions; p++) {
      for (let k = 0; k < PER_ROUND; k++) {
        const once = k === HOT_KEYS;
        const tombstone = k === 0 && round % 5 === 4;
        lines.push({
          partition: p,
          key: bytes(once ? `once-${round}` : `hot-${k}`),
          value: tombstone ? null : bytes(`p${p} ${once ? 'once' : `hot-${k}`} round ${round} ${'x'.repeat(round * 10)}`),
          headers: [['round', bytes(String(round))]],
          timestamp: now - (ROUNDS - round) * 1000,
        });
      }
    }
    lines.push({ flush: true });
  }
  return lines;
}

function hasGaps(records: DumpedRecord[]): boolean {
  return [...byPartition(records).values()].every((recs) => recs.some((r, i) => i > 0 && r.offset !== recs[i - 1]!.offset + 1));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('round trip: compacted topic', () => {
  test('a log with compaction gaps restores to the same records at dense offsets', { timeout: 180_000 }, async () => {
    const b = bootstrap();
    const source = unique('rt-compact');
    const target = `${source}-restored`;
    await createTopic(b, source, 2, {
      'cleanup.policy': 'compact',
      'segment.ms': '100',
      'min.cleanable.dirty.ratio': '0.01',
      'delete.retention.ms': '100',
      'min.compaction.lag.ms': '0',
      'segment.bytes': '1048576', // the smallest Kafka 4 accepts: segments roll on segment.ms
    });
    // Rounds written with pauses longer than segment.ms, so each lands in its own segment and
    // every segment but the last can be cleaned.
    const lines = updates(2);
    const perRound = lines.length / ROUNDS;
    for (let round = 0; round < ROUNDS; round += 5) {
      await produceWithChecker({ bootstrap: b, topic: source, lingerMs: 5 }, lines.slice(round * perRound, (round + 5) * perRound));
      await sleep(250);
    }
    // One more write after a pause rolls the last segment of updates, so it can be cleaned too.
    await produceWithChecker({ bootstrap: b, topic: source }, [0, 1].map((p) => ({ partition: p, key: bytes('roll'), value: bytes('roll'), timestamp: Date.now() })));

    const written = ROUNDS * 2 * PER_ROUND + 2;
    await waitFor('the log cleaner to leave offset gaps in both partitions', 60_000, async () => {
      const d = await dumpWithChecker(b, source);
      return hasGaps(d) && d.length < written ? d : undefined;
    });
    // Freeze the source: no more cleaning from here on, so the backup reads what is dumped now.
    await alterTopicConfig(b, source, { 'cleanup.policy': 'delete', 'retention.ms': '-1' });
    const before = await waitFor('two equal dumps in a row (a running clean finished)', 30_000, async () => {
      const first = await dumpWithChecker(b, source);
      await sleep(1500);
      const second = await dumpWithChecker(b, source);
      return JSON.stringify(first) === JSON.stringify(second) ? second : undefined;
    });
    assert.ok(hasGaps(before), 'the frozen source still has gaps');

    const rt = await backupAndRestore({ bootstrap: b, mapping: { [source]: target } });

    assert.deepEqual(await dumpWithChecker(b, source), before, 'the source did not change during the test');
    const after = await dumpWithChecker(b, target);
    assertSameRecords(before, after);
    assertDenseOffsets(after);
    for (const [p, recs] of byPartition(after)) assert.equal(recs[0]!.offset, 0, `${target}/${p} starts at offset 0`);
    await assertSamePartitionCount(b, source, target, 2);
    await assertStatusMatches(rt.config, { [source]: { partitions: 2, records: before } });
  });
});
