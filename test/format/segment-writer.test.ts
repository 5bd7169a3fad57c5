import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCodec } from '../../src/codec/index.js';
import { KafkaBackupError, isKafkaBackupError } from '../../src/errors.js';
import type { ObjectWriter } from '../../src/storage/backend.js';
import { SegmentReader } from '../../src/format/segment-reader.js';
import { SegmentWriter } from '../../src/format/segment-writer.js';
import { readBatchHeader } from '../../src/records/batch.js';
import { MemoryBackend } from '../storage/memory-backend.js';
import { fixtureLog } from './fixtures.js';

const KEY = 'b/topics/t/0/segments/00000000000000000000.kbs';

function newWriter(storage: MemoryBackend, blockMaxBytes = 1024): SegmentWriter {
  return new SegmentWriter({ key: KEY, out: storage.createWriter(KEY), codec: createCodec('zstd'), blockMaxBytes });
}

const isInternal = (err: unknown): boolean => isKafkaBackupError(err, 'INTERNAL');

describe('SegmentWriter', () => {
  test('copies pending batches: the caller may overwrite its buffers after append', async () => {
    const batches = await fixtureLog(0, 30);
    for (const perAppend of [1, 4, 50]) {
      const storage = new MemoryBackend();
      const writer = newWriter(storage);
      for (let i = 0; i < batches.length; i += perAppend) {
        const scratch = batches.slice(i, i + perAppend).map((b) => ({ header: b.header, bytes: Buffer.from(b.bytes) }));
        await writer.append(scratch);
        for (const s of scratch) s.bytes.fill(0xee);
      }
      await writer.finish();
      const reader = await SegmentReader.open(storage, KEY);
      const read: Buffer[] = [];
      for await (const b of reader.batches()) read.push(b.bytes);
      assert.deepEqual(read, batches.map((b) => b.bytes), `perAppend ${perAppend}`);
    }
  });

  test('getters track appended and pending bytes', async () => {
    const log = await fixtureLog(5, 10);
    const [a, b, c] = [log[0], log[1], log[9]];
    assert.ok(c!.bytes.length < a!.bytes.length + b!.bytes.length);
    const writer = newWriter(new MemoryBackend(), a!.bytes.length + b!.bytes.length);
    assert.equal(writer.isEmpty, true);
    assert.equal(writer.baseOffset, undefined);
    await writer.append([a!]);
    assert.equal(writer.pendingBytes, a!.bytes.length);
    await writer.append([b!]);
    assert.equal(writer.pendingBytes, 0, 'a full block is sealed at once');
    await writer.append([c!]);
    assert.equal(writer.rawBytes, a!.bytes.length + b!.bytes.length + c!.bytes.length);
    assert.equal(writer.pendingBytes, c!.bytes.length);
    assert.equal(writer.batchCount, 3);
    assert.equal(writer.baseOffset, 5);
    assert.equal(writer.lastOffset, c!.header.lastOffset);
    assert.equal(writer.isEmpty, false);
    const summary = await writer.finish();
    assert.equal(summary.block_count, 2);
  });

  test('a segment of one batch larger than a block', async () => {
    const log = await fixtureLog(0, 7, 5000);
    const big = log.find((b) => b.bytes.length > 5000)!;
    const storage = new MemoryBackend();
    const writer = newWriter(storage, 100);
    await writer.append([big]);
    const summary = await writer.finish();
    const reader = await SegmentReader.open(storage, KEY, { size: summary.stored_bytes });
    assert.equal(reader.blocks.length, 1);
    assert.ok((await reader.readBlock(0)).equals(big.bytes));
  });

  test('finish on an empty writer is a bug', async () => {
    await assert.rejects(newWriter(new MemoryBackend()).finish(), isInternal);
  });

  test('batches must come in offset order', async () => {
    const [a, b] = await fixtureLog(0, 2);
    const writer = newWriter(new MemoryBackend());
    await writer.append([b!]);
    await assert.rejects(writer.append([a!]), isInternal);
    const again = newWriter(new MemoryBackend());
    await assert.rejects(again.append([a!, a!]), isInternal);
  });

  test('no use after finish; abort leaves nothing behind', async () => {
    const [a, b] = await fixtureLog(0, 2);
    const storage = new MemoryBackend();
    const writer = newWriter(storage);
    await writer.append([a!]);
    await writer.finish();
    await assert.rejects(writer.append([b!]), isInternal);
    await assert.rejects(writer.finish(), isInternal);

    const other = 'b/topics/t/0/segments/00000000000000000001.kbs';
    const aborted = new SegmentWriter({ key: other, out: storage.createWriter(other), codec: createCodec('lz4'), blockMaxBytes: 10 });
    await aborted.append([a!, b!]);
    await aborted.abort();
    assert.equal(await storage.head(other), undefined);
    await assert.rejects(aborted.append([b!]), isInternal);
  });

  test('rejects an invalid block size', () => {
    assert.throws(() => newWriter(new MemoryBackend(), 0), isInternal);
    assert.throws(() => newWriter(new MemoryBackend(), 2 ** 32), isInternal);
  });

  test('the object starts with the header and ends with the trailer magic', async () => {
    const storage = new MemoryBackend();
    const writer = newWriter(storage);
    const [a] = await fixtureLog(0, 1);
    await writer.append([a!]);
    await writer.finish();
    const object = storage.objects.get(KEY)!.data;
    assert.deepEqual([...object.subarray(0, 16)], [0x4b, 0x42, 0x2d, 0x53, 0x45, 0x47, 0x0d, 0x0a, 0, 1, 1, 0, 0, 0, 0, 0]);
    assert.deepEqual([...object.subarray(-8)], [0x4b, 0x42, 0x2d, 0x45, 0x4e, 0x44, 0x0d, 0x0a]);
    assert.equal(readBatchHeader(a!.bytes, 0).baseOffset, 0);
  });

  test('a block write failing in the background (a full disk) is no unhandled rejection; the next call reports it', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const full = new KafkaBackupError('STORAGE_IO', 'disk full writing x: the disk is full (ENOSPC)');
      const out: ObjectWriter = {
        write: async () => {
          throw full;
        },
        finish: async () => assert.fail('finish after a failed write'),
        abort: async () => undefined,
      };
      const batches = await fixtureLog(0, 30);
      for (const next of ['append', 'finish'] as const) {
        const writer = new SegmentWriter({ key: KEY, out, codec: createCodec('none'), blockMaxBytes: 4096 });
        let used = 0;
        // Until one block is sealed: its write starts in the background and fails there.
        while (writer.pendingBytes === writer.rawBytes) await writer.append([batches[used++]!]);
        // The pipeline now waits on its next fetch, with no call on the writer pending.
        await new Promise((resolve) => setTimeout(resolve, 50));
        assert.deepEqual(unhandled, [], 'a failed block write became an unhandled rejection (the process would exit with a stack trace)');
        const call = next === 'append' ? writer.append([batches[used]!]) : writer.finish();
        await assert.rejects(call, (err) => err === full, next);
      }
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
