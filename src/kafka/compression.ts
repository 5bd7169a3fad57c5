// Compression of the records section of a Kafka RecordBatch (message format v2). The codec is
// attributes bits 0-2: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. Decompression must read whatever
// Java, librdkafka and other clients write; compression must write what they all read.

import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { compress as zstdCompress, decompress as zstdDecompress } from '@mongodb-js/zstd';
import { compressFrame, decompressFrame } from 'lz4-napi';
import { compress as snappyCompress, uncompress as snappyUncompress } from 'snappy';
import { KafkaBackupError, describeError } from '../errors.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

const codecNames = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

/** zstd level for compressRecords: the Java producer's default (compression.zstd.level=3). */
const ZSTD_LEVEL = 3;

/**
 * Decompresses a records section. Accepts gzip with several members, LZ4 frames with independent or
 * linked blocks, zstd frames with or without content size, and snappy either xerial-framed (Java) or
 * raw (librdkafka). Codec 0 returns `data` itself. Unknown codec or corrupt data: RECORD_FORMAT.
 */
export async function decompressRecords(codec: number, data: Buffer): Promise<Buffer> {
  const name = codecName(codec);
  try {
    switch (name) {
      case 'none':
        return data;
      case 'gzip':
        return await gunzipAsync(data);
      case 'snappy':
        return await snappyDecompress(data);
      case 'lz4':
        return await decompressFrame(data);
      case 'zstd':
        return await zstdDecompress(data);
    }
  } catch (err) {
    if (err instanceof KafkaBackupError) throw err;
    throw new KafkaBackupError('RECORD_FORMAT', `${name} records do not decompress: ${describeError(err)}`, {
      cause: err,
      codec: name,
    });
  }
}

/**
 * Compresses a records section the way the Java producer does: gzip (default level), snappy in the
 * xerial framing, LZ4 frame with independent blocks and no content checksum, zstd level 3.
 * Codec 0 returns `data` itself. Unknown codec: RECORD_FORMAT.
 */
export async function compressRecords(codec: number, data: Buffer): Promise<Buffer> {
  const name = codecName(codec);
  try {
    switch (name) {
      case 'none':
        return data;
      case 'gzip':
        return await gzipAsync(data);
      case 'snappy':
        return await xerialCompress(data);
      case 'lz4':
        // lz4-napi's default frame: FLG 0x60 (version 01, block independence, no checksums), 256 KiB
        // blocks. Java's KafkaLZ4BlockInputStream requires block independence and accepts 64 KiB..4 MiB.
        return await compressFrame(data);
      case 'zstd':
        return await zstdCompress(data, ZSTD_LEVEL);
    }
  } catch (err) {
    throw new KafkaBackupError('INTERNAL', `${name} compression of records failed: ${describeError(err)}`, {
      cause: err,
      codec: name,
    });
  }
}

function codecName(codec: number): (typeof codecNames)[number] {
  const name = Number.isInteger(codec) ? codecNames[codec] : undefined;
  if (name === undefined) {
    throw new KafkaBackupError('RECORD_FORMAT', `unknown record batch compression codec ${codec}`, { codec });
  }
  return name;
}

// --- snappy ---------------------------------------------------------------------------------------
// Java's snappy-java SnappyOutputStream writes the xerial framing:
//   magic 82 'S' 'N' 'A' 'P' 'P' 'Y' 00, int32 BE version, int32 BE compatible version,
//   then repeated [int32 BE compressed length][raw snappy block of at most 32 KiB uncompressed].
// librdkafka's producer writes one raw snappy block with no framing; its consumer, like
// snappy-java's SnappyInputStream, checks for the magic and falls back to raw snappy without it.

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_LENGTH = 16;
const XERIAL_VERSION = 1;
const XERIAL_COMPATIBLE_VERSION = 1;
/** snappy-java's default block size: each chunk holds at most this many uncompressed bytes. */
export const XERIAL_CHUNK_SIZE = 32 * 1024;

function startsWithXerialHeader(data: Buffer, at: number): boolean {
  return data.length - at >= XERIAL_HEADER_LENGTH && data.subarray(at, at + XERIAL_MAGIC.length).equals(XERIAL_MAGIC);
}

async function snappyDecompress(data: Buffer): Promise<Buffer> {
  if (!startsWithXerialHeader(data, 0)) return await rawUncompress(data);
  // The version fields are not checked: snappy-java and librdkafka do not reject newer values either.
  const chunks: Buffer[] = [];
  let at = XERIAL_HEADER_LENGTH;
  while (at < data.length) {
    // snappy-java reads concatenated streams, where a new header appears at a chunk boundary.
    if (startsWithXerialHeader(data, at)) {
      at += XERIAL_HEADER_LENGTH;
      continue;
    }
    if (data.length - at < 4) throw xerialCorrupt(`truncated chunk length at byte ${at}`);
    const length = data.readInt32BE(at);
    at += 4;
    if (length < 0 || length > data.length - at) {
      throw xerialCorrupt(`chunk of ${length} bytes at byte ${at - 4} runs past the end (${data.length})`);
    }
    chunks.push(data.subarray(at, at + length));
    at += length;
  }
  return Buffer.concat(await Promise.all(chunks.map(rawUncompress)));
}

async function rawUncompress(block: Buffer): Promise<Buffer> {
  // With asBuffer (the default) the result is always a Buffer; the declared type also allows string.
  return (await snappyUncompress(block, { asBuffer: true })) as Buffer;
}

async function xerialCompress(data: Buffer): Promise<Buffer> {
  const header = Buffer.alloc(XERIAL_HEADER_LENGTH);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(XERIAL_VERSION, 8);
  header.writeInt32BE(XERIAL_COMPATIBLE_VERSION, 12);
  const slices: Buffer[] = [];
  for (let at = 0; at < data.length; at += XERIAL_CHUNK_SIZE) {
    slices.push(data.subarray(at, at + XERIAL_CHUNK_SIZE));
  }
  const blocks = await Promise.all(slices.map((slice) => snappyCompress(slice)));
  const parts: Buffer[] = [header];
  for (const block of blocks) {
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length, 0);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

function xerialCorrupt(why: string): KafkaBackupError {
  return new KafkaBackupError('RECORD_FORMAT', `snappy (xerial framing) records are corrupt: ${why}`, {
    codec: 'snappy',
  });
}
