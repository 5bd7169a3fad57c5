import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { SegmentReader } from '../../src/format/segment-reader.js';
import { CountingBackend, codecNames, writeSegment } from './helpers.js';
import { expectedBlockStats, fixtureLog, type FixtureBatch } from './fixtures.js';

const KEY = 'b/topics/t/0/segments/00000000000000001000.kbs';
const BLOCK = 2048;

async function readAll(reader: SegmentReader, fromOffset?: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const b of reader.batches(fromOffset === undefined ? {} : { fromOffset })) out.push(b.bytes);
  return out;
}

/** Splits the fixture into blocks the way the index says, checking the raw bytes line up. */
function blocksOf(reader: SegmentReader, batches: FixtureBatch[]): FixtureBatch[][] {
  let at = 0;
  return reader.blocks.map((e) => {
    const group = batches.slice(at, at + e.batchCount);
    at += e.batchCount;
    return group;
  });
}

for (const codec of codecNames) {
  describe(`segment round trip (${codec})`, async () => {
    const batches = await fixtureLog(1000, 60, BLOCK * 3);
    const storage = new CountingBackend();
    const summary = await writeSegment(storage, KEY, codec, batches, BLOCK);
    const object = storage.objects.get(KEY)!.data;
    const reader = await SegmentReader.open(storage, KEY);

    test('reads back every batch byte for byte, in order', async () => {
      const read = await readAll(reader);
      assert.equal(read.length, batches.length);
      read.forEach((bytes, i) => assert.ok(bytes.equals(batches[i]!.bytes), `batch ${i}`));
    });

    test('summary describes the object', () => {
      const data = batches.filter((b) => !b.header.isControl);
      assert.equal(summary.key, KEY);
      assert.equal(summary.codec, codec);
      assert.equal(summary.base_offset, 1000);
      assert.equal(summary.last_offset, batches.at(-1)!.header.lastOffset);
      assert.equal(summary.batch_count, batches.length);
      assert.equal(summary.record_count, data.reduce((n, b) => n + b.header.recordCount, 0));
      assert.equal(summary.raw_bytes, batches.reduce((n, b) => n + b.bytes.length, 0));
      assert.equal(summary.stored_bytes, object.length);
      assert.equal(summary.sha256, createHash('sha256').update(object).digest('hex'));
      assert.equal(summary.block_count, reader.blocks.length);
      const stats = expectedBlockStats(batches);
      assert.equal(summary.min_timestamp, stats.minTimestamp);
      assert.equal(summary.max_timestamp, stats.maxTimestamp);
    });

    test('reader exposes codec and version', () => {
      assert.equal(reader.codec.name, codec);
      assert.equal(reader.formatVersion, 1);
    });

    test('index entries match the batches in each block', async () => {
      assert.ok(reader.blocks.length >= 5, `only ${reader.blocks.length} blocks`);
      const groups = blocksOf(reader, batches);
      assert.equal(groups.flat().length, batches.length);
      for (const [i, entry] of reader.blocks.entries()) {
        const group = groups[i]!;
        const { position: _p, storedLength: _s, rawLength, ...stats } = entry;
        assert.deepEqual(stats, expectedBlockStats(group), `block ${i}`);
        assert.equal(rawLength, group.reduce((n, b) => n + b.bytes.length, 0));
        assert.ok(Buffer.concat(group.map((b) => b.bytes)).equals(await reader.readBlock(i)), `block ${i} bytes`);
      }
    });

    test('blocks are packed: sealed only when the next batch would not fit', () => {
      const groups = blocksOf(reader, batches);
      for (const [i, entry] of reader.blocks.entries()) {
        if (entry.rawLength > BLOCK) assert.equal(entry.batchCount, 1, `oversized block ${i} holds one batch`);
        const next = groups[i + 1]?.[0];
        if (next) assert.ok(entry.rawLength >= BLOCK || entry.rawLength + next.bytes.length > BLOCK, `block ${i} underfilled`);
      }
      assert.ok(reader.blocks.some((e) => e.rawLength > BLOCK), 'the big batch forms its own block');
    });

    test('flags mark control, transactional and compacted blocks', () => {
      const all = reader.blocks.reduce((f, e) => f | e.flags, 0);
      assert.equal(all, 0b111);
      assert.ok(reader.blocks.some((e) => e.flags === 0));
    });

    test('fromOffset skips whole blocks without fetching them, and earlier batches', async () => {
      for (const from of [0, 1000, 1001, reader.blocks[2]!.baseOffset, reader.blocks[3]!.lastOffset, summary.last_offset, summary.last_offset + 1]) {
        storage.ranges.length = 0;
        const read = await readAll(reader, from);
        const expected = batches.filter((b) => b.header.lastOffset >= from).map((b) => b.bytes);
        assert.deepEqual(read, expected, `from ${from}`);
        const skipped = reader.blocks.filter((e) => e.lastOffset < from).map((e) => e.position);
        assert.ok(!storage.ranges.some((r) => skipped.includes(r.start)), `from ${from}: a skipped block was fetched`);
      }
    });
  });
}

describe('segment read-ahead', async () => {
  const batches = await fixtureLog(0, 30);
  const storage = new CountingBackend();
  await writeSegment(storage, KEY, 'zstd', batches, 1024);

  test('block i+1 is requested before the consumer is done with block i', async () => {
    const reader = await SegmentReader.open(storage, KEY);
    storage.ranges.length = 0;
    const it = reader.batches();
    await it.next();
    assert.deepEqual(
      storage.ranges.map((r) => r.start),
      [reader.blocks[0]!.position, reader.blocks[1]!.position],
    );
    await it.return(undefined);
  });

  test('a failed read-ahead of a block the consumer never reaches is harmless', async () => {
    const reader = await SegmentReader.open(storage, KEY);
    const object = storage.objects.get(KEY)!;
    const broken = Buffer.from(object.data);
    broken[reader.blocks[1]!.position + 20]! ^= 1;
    const copy = new CountingBackend();
    await copy.put(KEY, broken);
    const brokenReader = await SegmentReader.open(copy, KEY);
    for await (const b of brokenReader.batches()) {
      assert.ok(b.bytes.equals(batches[0]!.bytes));
      break;
    }
    // Let the rejected prefetch settle: an unhandled rejection would fail this test file.
    await new Promise((resolve) => setTimeout(resolve, 10));
  });
});
