// Record-batch compression. The fixtures at the bottom were written by other implementations, so
// these tests check reading what real clients write, not only our own round trip:
//   java*: Kafka's Java client 4.3.1 (Compression.wrapForOutput, magic 2), the producer's code path;
//   lz4Linked: the lz4 CLI with linked blocks, content size and content checksum;
//   zstdStreamed: the zstd CLI reading a pipe (content checksum, no content size, like zstd-jni).
// Every fixture decompresses to fixtureInput().

import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { compressSync as snappyCompressSync, uncompressSync as snappyUncompressSync } from 'snappy';
import { isKafkaBackupError } from '../../src/errors.js';
import { compressRecords, decompressRecords } from '../../src/kafka/compression.js';

const NONE = 0;
const GZIP = 1;
const SNAPPY = 2;
const LZ4 = 3;
const ZSTD = 4;
const codecs = [NONE, GZIP, SNAPPY, LZ4, ZSTD];
const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];

const fixtureInput = (): Buffer => Buffer.alloc(70_000, 'kafka-backup java fixture; ');
const fixture = (lines: string[]): Buffer => Buffer.from(lines.join(''), 'base64');
const isRecordFormat = (err: unknown): boolean => isKafkaBackupError(err, 'RECORD_FORMAT');

function recordsLike(): Buffer {
  const text = Array.from({ length: 2000 }, (_, i) => `record ${i} key=user-${(i * 7919) % 1000}`).join('\n');
  return Buffer.concat([Buffer.from(text), randomBytes(20_000), Buffer.from(text)]);
}

/** A raw snappy block holding `text` as one literal (text of at most 60 bytes), built by hand. */
function snappyLiteral(text: string): Buffer {
  const bytes = Buffer.from(text);
  assert.ok(bytes.length > 0 && bytes.length <= 60);
  return Buffer.concat([Buffer.from([bytes.length, (bytes.length - 1) << 2]), bytes]);
}

function xerialHeader(): Buffer {
  return Buffer.from([...XERIAL_MAGIC, 0, 0, 0, 1, 0, 0, 0, 1]);
}

function xerialChunk(block: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeInt32BE(block.length);
  return Buffer.concat([length, block]);
}

test('every codec round trips records, and an empty section', async () => {
  const data = recordsLike();
  for (const codec of codecs) {
    for (const raw of [data, Buffer.alloc(0)]) {
      const back = await decompressRecords(codec, await compressRecords(codec, raw));
      assert.ok(back.equals(raw), `codec ${codec}, ${raw.length} bytes`);
    }
  }
});

test('codec 0 passes data through untouched', async () => {
  const data = Buffer.from('plain');
  assert.equal(await compressRecords(NONE, data), data);
  assert.equal(await decompressRecords(NONE, data), data);
});

test("reads what Kafka's Java client writes for gzip, snappy, lz4 and zstd", async () => {
  const expected = fixtureInput();
  for (const [codec, stored] of [[GZIP, javaGzip], [SNAPPY, javaSnappy], [LZ4, javaLz4], [ZSTD, javaZstd]] as const) {
    assert.ok((await decompressRecords(codec, fixture(stored))).equals(expected), `codec ${codec}`);
  }
});

test('lz4: reads frames with linked blocks, content size and content checksum', async () => {
  const stored = fixture(lz4Linked);
  assert.equal(stored[4]! & 0x20, 0, 'the fixture really has linked blocks (FLG bit 5 clear)');
  assert.ok((await decompressRecords(LZ4, stored)).equals(fixtureInput()));
});

test('lz4: output is an LZ4 frame with the block-independence flag, as Java requires', async () => {
  const stored = await compressRecords(LZ4, recordsLike());
  assert.deepEqual([...stored.subarray(0, 4)], [0x04, 0x22, 0x4d, 0x18]);
  const flg = stored[4]!;
  assert.equal(flg >> 6, 0b01, 'frame version 01');
  assert.notEqual(flg & 0x20, 0, 'block independence (FLG bit 5)');
});

test('zstd: reads streamed frames without content size, and concatenated frames', async () => {
  const stored = fixture(zstdStreamed);
  assert.ok((await decompressRecords(ZSTD, stored)).equals(fixtureInput()));
  const twice = await decompressRecords(ZSTD, Buffer.concat([stored, stored]));
  assert.ok(twice.equals(Buffer.concat([fixtureInput(), fixtureInput()])));
});

test('gzip: reads several concatenated members', async () => {
  const stored = Buffer.concat([gzipSync(Buffer.from('first ')), gzipSync(Buffer.from('second'))]);
  assert.equal((await decompressRecords(GZIP, stored)).toString(), 'first second');
});

test('snappy: a hand-built xerial stream with two chunks decompresses', async () => {
  const stored = Buffer.concat([
    xerialHeader(),
    xerialChunk(snappyLiteral('hello, ')),
    xerialChunk(snappyLiteral('xerial framing')),
  ]);
  assert.equal((await decompressRecords(SNAPPY, stored)).toString(), 'hello, xerial framing');
});

test('snappy: raw snappy without framing (as librdkafka writes) decompresses', async () => {
  assert.equal((await decompressRecords(SNAPPY, snappyLiteral('raw block'))).toString(), 'raw block');
  const data = recordsLike();
  assert.ok((await decompressRecords(SNAPPY, snappyCompressSync(data))).equals(data));
});

test('snappy: concatenated xerial streams decompress, as snappy-java allows', async () => {
  const one = Buffer.concat([xerialHeader(), xerialChunk(snappyLiteral('one '))]);
  const two = Buffer.concat([xerialHeader(), xerialChunk(snappyLiteral('two'))]);
  assert.equal((await decompressRecords(SNAPPY, Buffer.concat([one, two]))).toString(), 'one two');
});

test('snappy: output is xerial framing, version 1, chunks of at most 32 KiB uncompressed', async () => {
  const data = Buffer.concat([recordsLike(), randomBytes(40_000)]);
  const stored = await compressRecords(SNAPPY, data);
  assert.deepEqual([...stored.subarray(0, 8)], XERIAL_MAGIC);
  assert.equal(stored.readInt32BE(8), 1, 'version');
  assert.equal(stored.readInt32BE(12), 1, 'compatible version');
  const pieces: Buffer[] = [];
  for (let at = 16; at < stored.length; ) {
    const length = stored.readInt32BE(at);
    const piece = snappyUncompressSync(stored.subarray(at + 4, at + 4 + length)) as Buffer;
    assert.ok(piece.length <= 32 * 1024, `chunk of ${piece.length} bytes`);
    pieces.push(piece);
    at += 4 + length;
  }
  assert.equal(pieces.length, Math.ceil(data.length / (32 * 1024)));
  assert.ok(Buffer.concat(pieces).equals(data));
});

test('snappy: a truncated xerial stream is RECORD_FORMAT', async () => {
  const whole = Buffer.concat([xerialHeader(), xerialChunk(snappyLiteral('truncated'))]);
  await assert.rejects(decompressRecords(SNAPPY, whole.subarray(0, whole.length - 2)), isRecordFormat);
  await assert.rejects(decompressRecords(SNAPPY, Buffer.concat([whole, Buffer.from([0, 0])])), isRecordFormat);
});

test('an unknown codec number is RECORD_FORMAT', async () => {
  for (const codec of [5, 6, 7, -1, 1.5]) {
    await assert.rejects(decompressRecords(codec, Buffer.from('x')), isRecordFormat, `decompress ${codec}`);
    await assert.rejects(compressRecords(codec, Buffer.from('x')), isRecordFormat, `compress ${codec}`);
  }
});

test('corrupt data is RECORD_FORMAT with the library error as cause', async () => {
  const garbage = Buffer.from('\xff\xff\xff\xffdefinitely not compressed by anyone', 'latin1');
  for (const codec of [GZIP, SNAPPY, LZ4, ZSTD]) {
    await assert.rejects(
      decompressRecords(codec, garbage),
      (err) => isRecordFormat(err) && (err as Error).cause !== undefined,
      `codec ${codec}`,
    );
  }
});

// --- fixtures (base64) ---------------------------------------------------------------------------

const javaGzip = [
    'H4sIAAAAAAAA/+3JsQ2AMAwAsFfyABdwTYqoBFkQohXn8wOzvbqyVy4ttxpXnDkz+vE+497XKKWUUkoppZRSSimllFJKKaWUUkop',
    'pZRSSimllFJKKaWUUkoppZRSSimllFJKKaWUUkoppZRSSimllFJKKaWUUkoppZRSSimllFJKKaWUUkoppZRSSimllFJKKaWUUkop',
    'pZRSSimllFJKKaWUUkoppZRSSimllFJKKaWUUkoppZRSSimllFJKKaWUUkoppZRSSimllFJKKaWUUkoppZRSSimllFJKKaWUUkr9',
    'qw9u5W56cBEBAA==',
];
const javaSnappy = [
    'glNOQVBQWQAAAAABAAAAAQAABh+AgAJoa2Fma2EtYmFja3VwIGphdmEgZml4dHVyZTsg/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsAkhsAAAAGH4CAAmggZml4dHVyZTsga2Fma2EtYmFja3VwIGphdmH+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+',
    'GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+',
    'GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+',
    'GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+',
    'GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+',
    'GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+',
    'GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+',
    'GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+',
    'GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+',
    'GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+',
    'GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+',
    'GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+',
    'GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+',
    'GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+',
    'GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+',
    'GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+',
    'GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+',
    'GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+',
    'GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+',
    'GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+',
    'GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+GwD+',
    'GwD+GwCSGwAAAADw8CJoYWNrdXAgamF2YSBmaXh0dXJlOyBrYWZrYS1i/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsA',
    '/hsA/hsA/hsA/hsA/hsA/hsA/hsA/hsAUhsA',
];
const javaLz4 = [
    'BCJNGGBAgiYBAAD/DGthZmthLWJhY2t1cCBqYXZhIGZpeHR1cmU7IBsA////////////////////////////////////////////',
    '////////////////////////////////////////////////////////////////////////////////////////////////////',
    '////////////////////////////////////////////////////////////////////////////////////////////////////',
    '/////////////////////////////////////////////////////////////////////////////////////////////////81Q',
    'ZmthLWI3AAAA/wxhY2t1cCBqYXZhIGZpeHR1cmU7IGthZmthLWIbAP//////////////////////TlBwIGphdgAAAAA=',
];
const javaZstd = [
    'KLUv/QBYHAEA2GthZmthLWJhY2t1cCBqYXZhIGZpeHR1cmU7IAEAS0V4PscBAAA=',
];
const lz4Linked = [
    'BCJNGExAcBEBAAAAAABkJgEAAP8Ma2Fma2EtYmFja3VwIGphdmEgZml4dHVyZTsgGwD/////////////////////////////////',
    '////////////////////////////////////////////////////////////////////////////////////////////////////',
    '////////////////////////////////////////////////////////////////////////////////////////////////////',
    '////////////////////////////////////////////////////////////////////////////////////////////////////',
    '////////zVBma2EtYhsAAAAP+f///////////////////////2lQcCBqYXYAAAAA5L4m9w==',
];
const zstdStreamed = [
    'KLUv/QRYHQEA2GthZmthLWJhY2t1cCBqYXZhIGZpeHR1cmU7IAEAS0V4PsdnnoDW',
];
