// ProduceBatcher against a target's limits: no produced batch larger than max.message.bytes (merged,
// stamped or rebuilt), records and offset map exact; a record too large alone and keyless records
// for a compacted target stop it with RESTORE_TARGET_LIMIT, or keyless ones are left out (skip).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProduceBatcher, type OutgoingBatch } from '../../../src/pipeline/restore/produce-batcher.js';
import type { BatchTarget } from '../../../src/pipeline/restore/batch-target.js';
import { LOG_OVERHEAD, readBatchHeader, verifyBatchCrc } from '../../../src/records/batch.js';
import { provenanceHeaders } from '../../../src/records/provenance.js';
import { assertFailsWith } from '../../assert-error.js';
import { pseudoRandom } from '../../integration/helpers/fixtures.js';
import { buildBatch, buildCompressedBatch, readBack, type SimpleRecord, type VisibleRecord } from '../../records/build.js';

/** Deterministic bytes that do not compress. */
const pseudoRandomBytes = (seed: number, length: number) => pseudoRandom(seed + 1, length);

const T = 1_700_000_000_000;
const IDENTITY = { producerId: 9, producerEpoch: 2 };
const raw = (bytes: Buffer) => ({ header: readBatchHeader(bytes, 0), bytes });
const target = (maxBytes: number, keyless?: 'fail' | 'skip'): BatchTarget => ({ topic: 'tgt', partition: 3, maxBytes, ...(keyless ? { keyless } : {}) });

async function run(inputs: Buffer[], batchSize: number, t: BatchTarget, skip = 0): Promise<{ out: OutgoingBatch[]; batcher: ProduceBatcher }> {
  const batcher = new ProduceBatcher(IDENTITY, batchSize, skip, undefined, { target: t });
  const out: OutgoingBatch[] = [];
  for (const b of inputs) out.push(...(await batcher.add(raw(b))));
  out.push(...batcher.flush());
  return { out, batcher };
}

const offsetsOf = (o: OutgoingBatch[]) => o.flatMap((x) => x.sourceRanges.flatMap((r) => Array.from({ length: r.last - r.first + 1 }, (_, i) => r.first + i)));

/** Every sent batch fits, is stamped in sequence, and together they hold exactly `expected` in order. */
async function checkSent(out: OutgoingBatch[], expected: VisibleRecord[], maxBytes: number, batchSize: number): Promise<void> {
  const sent = out.filter((o) => o.bytes !== undefined);
  let sequence = 0;
  const got: VisibleRecord[] = [];
  for (const o of sent) {
    const b = o.bytes!;
    const h = readBatchHeader(b, 0);
    assert.ok(b.length <= maxBytes, `a batch of ${b.length} bytes exceeds max.message.bytes ${maxBytes}`);
    assert.equal(b.length, LOG_OVERHEAD + h.batchLength);
    assert.ok(verifyBatchCrc(b));
    assert.equal(h.baseSequence, sequence);
    assert.equal(h.producerId, IDENTITY.producerId);
    assert.ok(o.recordCount <= batchSize);
    assert.equal(h.recordCount, o.recordCount);
    sequence += o.recordCount;
    const records = await readBack(b);
    const offsets = offsetsOf([o]);
    assert.equal(offsets.length, records.length, 'sourceRanges count the batch records');
    got.push(...records.map((r, i) => ({ ...r, offset: offsets[i]! })));
  }
  assert.deepEqual(got, expected);
}

const bigRecords = (n: number, size: number, base: number, seed: number): SimpleRecord[] =>
  Array.from({ length: n }, (_, i) => ({ timestamp: T + base + i * 7, key: `k${base + i}`, value: pseudoRandomBytes(seed + i, size), headers: [{ key: 'n', value: String(i) }] }));

async function visible(inputs: Buffer[]): Promise<VisibleRecord[]> {
  const out: VisibleRecord[] = [];
  for (const b of inputs) out.push(...(await readBack(b)));
  return out;
}

describe('ProduceBatcher: max.message.bytes of the target', () => {
  test('a source batch larger than the limit is rebuilt into pieces that fit: records and offset map exact', async () => {
    // 512 KiB uncompressed and about as much gzip-compressed (random values do not compress).
    const inputs = [
      buildBatch({ baseOffset: 0, records: bigRecords(64, 8192, 0, 1) }),
      await buildCompressedBatch({ baseOffset: 64, codec: 1, records: bigRecords(64, 8192, 64, 2) }),
    ];
    for (const b of inputs) assert.ok(b.length > 512 * 1024);
    const limit = 64 * 1024;
    const { out } = await run(inputs, 1000, target(limit));
    assert.ok(out.length >= 16, `${out.length} pieces`);
    assert.deepEqual(offsetsOf(out), Array.from({ length: 128 }, (_, i) => i));
    await checkSent(out, await visible(inputs), limit, 1000);
    assert.deepEqual([...new Set(out.map((o) => readBatchHeader(o.bytes!, 0).codec))].sort(), [0, 1], 'pieces keep their source codec');
  });

  test('with provenance headers the pieces still fit: the headers count toward the limit', async () => {
    const inputs = [
      buildBatch({ baseOffset: 0, records: bigRecords(30, 1500, 0, 3) }),
      ...Array.from({ length: 20 }, (_, i) => buildBatch({ baseOffset: 30 + i * 3, records: bigRecords(3, 900, 30 + i * 3, 10 + i) })),
    ];
    const limit = 8_000;
    const batcher = new ProduceBatcher(IDENTITY, 1000, 0, undefined, { target: target(limit), provenance: provenanceHeaders('src', 3) });
    const out: OutgoingBatch[] = [];
    for (const b of inputs) out.push(...(await batcher.add(raw(b))));
    out.push(...batcher.flush());
    const withHeaders = (await visible(inputs)).map((r) => ({
      ...r,
      headers: [...r.headers, ...provenanceHeaders('src', 3)(r.offset, r.timestamp).map((h) => ({ key: h.key, value: h.value }))],
    }));
    await checkSent(out, withHeaders, limit, 1000);
  });

  test('merging stops at the limit, and a merge whose varints grew past it is split', async () => {
    const inputs = Array.from({ length: 40 }, (_, i) => buildBatch({ baseOffset: i * 4, records: bigRecords(4, 1000, i * 4, i) }));
    const limit = 10_000;
    const { out } = await run(inputs, 1000, target(limit));
    assert.ok(out.length > 1 && out.every((o) => o.recordCount > 4), 'small batches are still merged');
    await checkSent(out, await visible(inputs), limit, 1000);
  });

  test('resuming (skip) inside an oversized batch: the rest goes out in pieces that fit', async () => {
    const inputs = [buildBatch({ baseOffset: 0, records: bigRecords(40, 3000, 0, 5) })];
    const { out } = await run(inputs, 7, target(16_000), 11);
    assert.deepEqual(offsetsOf(out.filter((o) => !o.bytes)), Array.from({ length: 11 }, (_, i) => i));
    await checkSent(out, (await visible(inputs)).slice(11), 16_000, 7);
  });

  test('a record larger than the limit on its own: RESTORE_TARGET_LIMIT naming it, nothing of its batch produced', async () => {
    const records = [...bigRecords(3, 1000, 0, 1), { timestamp: T, key: 'huge', value: pseudoRandomBytes(9, 70_000) }, ...bigRecords(3, 1000, 4, 2)];
    const batcher = new ProduceBatcher(IDENTITY, 1000, 0, undefined, { target: target(64 * 1024) });
    assert.deepEqual(await batcher.add(raw(buildBatch({ baseOffset: 100, records: bigRecords(2, 100, 0, 3) }))), [], 'grouped');
    await assertFailsWith(batcher.add(raw(buildBatch({ baseOffset: 200, records }))), 'RESTORE_TARGET_LIMIT', /tgt\/3: the record at source offset 203 needs a 700\d\d-byte batch on its own, more than max\.message\.bytes 65536/);
  });
});

describe('ProduceBatcher: compacted target and records without a key', () => {
  const keyed = (o: number) => ({ timestamp: T + o, key: `k${o}`, value: `v${o}` });
  const keyless = (o: number) => ({ timestamp: T + o, key: null, value: `v${o}` });
  const inputs = () => [
    buildBatch({ baseOffset: 0, records: [keyed(0), keyed(1)] }),
    buildBatch({ baseOffset: 2, records: [keyed(2), keyless(3), keyed(4), keyless(5)] }),
    buildBatch({ baseOffset: 6, records: [keyed(6)] }),
  ];

  test('fail: RESTORE_TARGET_LIMIT naming topic, partition and the source offset', async () => {
    const batcher = new ProduceBatcher(IDENTITY, 1000, 0, undefined, { target: target(1 << 20, 'fail') });
    await batcher.add(raw(inputs()[0]!));
    await assertFailsWith(batcher.add(raw(inputs()[1]!)), 'RESTORE_TARGET_LIMIT', /tgt\/3: the record at source offset 3 has no key \(2 such records in its batch\)/);
  });

  test('skip: keyless records left out and counted, offset map exact, resume skips only written records', async () => {
    const all = await visible(inputs());
    const keyedOnly = all.filter((r) => r.key !== null);
    const { out, batcher } = await run(inputs(), 1000, target(1 << 20, 'skip'));
    assert.equal(batcher.keylessSkipped, 2);
    assert.deepEqual(offsetsOf(out), [0, 1, 2, 4, 6]);
    await checkSent(out, keyedOnly, 1 << 20, 1000);
    // A rerun after 3 records were written: they are reported, the rest sent.
    const resumed = await run(inputs(), 1000, target(1 << 20, 'skip'), 3);
    assert.deepEqual(offsetsOf(resumed.out.filter((o) => !o.bytes)), [0, 1, 2]);
    await checkSent(resumed.out, keyedOnly.slice(3), 1 << 20, 1000);
  });
});
