// A block is verified (CRC-32C, size, batches) before any of its batches is handed on: a reader of
// a segment with one damaged block gets every batch of the blocks before it, none of that block,
// and an error naming the segment, the block and the offsets it holds (issue 8, item 5).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKafkaBackupError } from '../../src/errors.js';
import { BLOCK_HEADER_SIZE } from '../../src/format/constants.js';
import { SegmentReader, type StoredBatch } from '../../src/format/segment-reader.js';
import { FastBackend, codecNames, writeSegment } from './helpers.js';
import { fixtureLog } from './fixtures.js';

const KEY = 'b/topics/t/0/segments/00000000000000000000.kbs';

for (const codec of codecNames) {
  test(`${codec}: a flipped byte in block k yields the batches of blocks 0..k-1 and none of block k`, async () => {
    const storage = new FastBackend();
    await writeSegment(storage, KEY, codec, await fixtureLog(0, 12), 700);
    const good = Buffer.from(storage.objects.get(KEY)!.data);
    const blocks = (await SegmentReader.open(storage, KEY)).blocks;
    assert.ok(blocks.length >= 3, 'fixture: several blocks');
    for (let k = 0; k < blocks.length; k++) {
      const entry = blocks[k]!;
      for (const at of [entry.position + BLOCK_HEADER_SIZE, entry.position + BLOCK_HEADER_SIZE + entry.storedLength - 1]) {
        const bad = Buffer.from(good);
        bad[at]! ^= 0x01;
        storage.objects.get(KEY)!.data = bad;
        const yielded: StoredBatch[] = [];
        const reader = await SegmentReader.open(storage, KEY);
        await assert.rejects(
          async () => {
            for await (const b of reader.batches()) yielded.push(b);
          },
          (err) => {
            assert.ok(isKafkaBackupError(err, 'BACKUP_CORRUPT'), String(err));
            assert.match(err.message, new RegExp(`${KEY}.*block ${k} \\(offsets ${entry.baseOffset}\\.\\.${entry.lastOffset}\\) CRC mismatch`));
            assert.deepEqual(err.details, { key: KEY, block: k, first_offset: entry.baseOffset, last_offset: entry.lastOffset });
            return true;
          },
        );
        assert.equal(yielded.length, blocks.slice(0, k).reduce((n, b) => n + b.batchCount, 0), `byte ${at}: the batches of blocks before ${k}, all of them`);
        assert.ok(yielded.every((b) => b.header.lastOffset < entry.baseOffset), `byte ${at}: nothing of block ${k}`);
      }
    }
  });
}
