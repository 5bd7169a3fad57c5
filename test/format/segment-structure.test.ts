// Segments whose checksums are all valid but whose structure lies: only the reader's consistency
// checks can catch these (a buggy writer, or a deliberate edit).

import { describe, test } from 'node:test';
import { crc32c } from '@node-rs/crc32';
import { createCodec } from '../../src/codec/index.js';
import {
  encodeBlockHeader,
  encodeHeader,
  encodeIndexAndTrailer,
  type BlockIndexEntry,
} from '../../src/format/segment-binary.js';
import { SegmentReader } from '../../src/format/segment-reader.js';
import { FastBackend, assertFails } from './helpers.js';
import { expectedBlockStats, fixtureLog, type FixtureBatch } from './fixtures.js';

const KEY = 'b/topics/t/0/segments/00000000000000000000.kbs';

interface BlockSpec {
  raw: Buffer;
  stats: ReturnType<typeof expectedBlockStats>;
  /** Overrides applied to the index entry and block header after computing them honestly. */
  rawLength?: number;
}

/** Assembles a segment by hand with valid CRCs everywhere. */
async function assemble(codecName: 'none' | 'zstd', blocks: BlockSpec[], patch?: (e: BlockIndexEntry[]) => void): Promise<Buffer> {
  const codec = createCodec(codecName);
  const parts: Buffer[] = [encodeHeader(codec.id)];
  const entries: BlockIndexEntry[] = [];
  let position = 16;
  for (const b of blocks) {
    const stored = await codec.compress(b.raw);
    const rawLength = b.rawLength ?? b.raw.length;
    parts.push(encodeBlockHeader(stored.length, rawLength, crc32c(stored)), stored);
    entries.push({ position, storedLength: stored.length, rawLength, ...b.stats });
    position += 12 + stored.length;
  }
  patch?.(entries);
  parts.push(encodeIndexAndTrailer(entries, position));
  return Buffer.concat(parts);
}

async function expectCorrupt(object: Buffer, what: string): Promise<void> {
  const storage = new FastBackend();
  await storage.put(KEY, object);
  const read = async (): Promise<void> => {
    const reader = await SegmentReader.open(storage, KEY);
    for await (const _ of reader.batches()) void _;
  };
  await assertFails(read, 'BACKUP_CORRUPT', KEY, what);
}

function block(batches: FixtureBatch[]): BlockSpec {
  return { raw: Buffer.concat(batches.map((b) => b.bytes)), stats: expectedBlockStats(batches) };
}

describe('segment structure checks', async () => {
  const log = await fixtureLog(0, 6);
  const first = block(log.slice(0, 3));
  const second = block(log.slice(3));

  test('the hand-assembled segment is valid as built', async () => {
    const storage = new FastBackend();
    await storage.put(KEY, await assemble('zstd', [first, second]));
    const reader = await SegmentReader.open(storage, KEY);
    for await (const _ of reader.batches()) void _;
  });

  test('index offsets that disagree with the batches', async () => {
    await expectCorrupt(await assemble('none', [first, second], (e) => void (e[1]!.baseOffset += 1)), 'base offset');
    await expectCorrupt(await assemble('none', [first, second], (e) => void (e[0]!.lastOffset -= 1)), 'last offset');
    await expectCorrupt(await assemble('none', [first, second], (e) => void (e[0]!.batchCount += 1)), 'batch count');
  });

  test('index entries out of order or not tiling the blocks', async () => {
    await expectCorrupt(await assemble('none', [first, second], (e) => void (e[1]!.baseOffset = e[0]!.lastOffset)), 'overlap');
    await expectCorrupt(await assemble('none', [first, second], (e) => void (e[1]!.position += 1)), 'position');
    await expectCorrupt(await assemble('none', [first, second], (e) => void (e[0]!.flags |= 8)), 'unknown flag');
    await expectCorrupt(
      await assemble('none', [first, second], (e) => void (e[0]!.minTimestamp = e[0]!.maxTimestamp + 1)),
      'reversed timestamps',
    );
  });

  test('a block with trailing bytes after its last batch', async () => {
    const junk = { ...first, raw: Buffer.concat([first.raw, Buffer.from([0, 0, 0, 0, 0])]) };
    await expectCorrupt(await assemble('none', [junk, second]), 'trailing bytes');
  });

  test('a block that is not record batches', async () => {
    await expectCorrupt(await assemble('zstd', [{ ...first, raw: Buffer.alloc(first.raw.length, 7) }, second]), 'garbage');
  });

  test('a raw length that the payload does not decompress to', async () => {
    await expectCorrupt(await assemble('zstd', [{ ...first, rawLength: first.raw.length + 1 }, second]), 'zstd length');
    await expectCorrupt(await assemble('none', [{ ...first, rawLength: first.raw.length - 1 }, second]), 'none length');
  });

  test('an index whose entry count disagrees with the trailer', async () => {
    const object = await assemble('none', [first, second]);
    const indexStart = object.length - 32 - (4 + 2 * 64);
    object.writeUInt32BE(1, indexStart);
    object.writeUInt32BE(crc32c(object.subarray(indexStart, object.length - 32)), object.length - 32 + 12);
    await expectCorrupt(object, 'entry count');
  });
});
