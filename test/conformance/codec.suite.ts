// The contract every segment block codec must keep (src/codec/codec.ts). Each codec's test file
// calls defineCodecSuite with a factory and adds only what is specific to that codec. A codec with
// levels also passes `levels`: the suite then requires that the level really reaches the
// compressor (issue 8: zstd's level was dropped, and every level wrote the same bytes).

import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isKafkaBackupError } from '../../src/errors.js';
import { codecIds, type Codec } from '../../src/codec/codec.js';

const MiB = 1024 * 1024;

function isCorrupt(err: unknown): boolean {
  return isKafkaBackupError(err, 'BACKUP_CORRUPT');
}

async function roundTrip(codec: Codec, raw: Buffer): Promise<Buffer> {
  const stored = await codec.compress(raw);
  const back = await codec.decompress(stored, raw.length);
  assert.ok(Buffer.isBuffer(back), 'decompress must resolve to a Buffer');
  assert.ok(back.equals(raw), `round trip of ${raw.length} bytes changed the data`);
  return stored;
}

/** Text-like data: compressible, but not a single repeated byte. */
function compressible(length: number): Buffer {
  const line = Buffer.from('{"topic":"orders","partition":3,"key":"customer-42","value":"ok"}\n');
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += line.length) line.copy(out, i);
  return out;
}

/**
 * Log-like text with varying numbers (xorshift32, fixed seed): compressible, but with enough
 * variety that a stronger level finds matches a fast one misses.
 */
function logLike(length: number): Buffer {
  const parts: string[] = [];
  let x = 0x9e3779b9;
  for (let size = 0, i = 0; size < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const line = `2024-05-01T12:${String(i % 60).padStart(2, '0')}:${String(x % 60).padStart(2, '0')} INFO orders-${x % 7} request ${x % 100_003} served in ${(x >>> 8) % 97}ms\n`;
    parts.push(line);
    size += line.length;
  }
  return Buffer.from(parts.join('')).subarray(0, length);
}

export interface CodecLevels {
  /** The codec at a given level. */
  at: (level: number) => Codec;
  /** A fast level and a strong one of this codec. */
  fast: number;
  strong: number;
}

export function defineCodecSuite(makeCodec: () => Codec, levels?: CodecLevels): void {
  const codec = makeCodec();

  describe(`codec conformance: ${codec.name}`, () => {
    test('id is the one codec.ts assigns to the name', () => {
      assert.equal(codec.id, codecIds[codec.name]);
    });

    test('round trips an empty block', async () => {
      await roundTrip(codec, Buffer.alloc(0));
    });

    test('round trips a 1-byte block', async () => {
      await roundTrip(codec, Buffer.from([0xa7]));
    });

    test('round trips 1 MiB of random bytes', async () => {
      await roundTrip(codec, randomBytes(MiB));
    });

    test('round trips 4 MiB of compressible data, and compresses it unless it is none', async () => {
      const raw = compressible(4 * MiB);
      const stored = await roundTrip(codec, raw);
      if (codec.name === 'none') assert.equal(stored.length, raw.length);
      else assert.ok(stored.length < raw.length / 10, `${codec.name} stored ${stored.length} bytes`);
    });

    test('handles Buffers that are views at an offset into a larger ArrayBuffer', async () => {
      const backing = new ArrayBuffer(200_000);
      const raw = Buffer.from(backing, 1234, 100_000);
      randomBytes(100_000).copy(raw);
      compressible(50_000).copy(raw, 25_000);
      const stored = await codec.compress(raw);
      // The stored block placed at an offset too, as a reader slicing one block out of a segment would.
      const segment = Buffer.alloc(stored.length + 777, 0xee);
      stored.copy(segment, 333);
      const view = segment.subarray(333, 333 + stored.length);
      assert.ok((await codec.decompress(view, raw.length)).equals(raw));
    });

    test('50 concurrent compress and decompress calls keep their data apart', async () => {
      const inputs = Array.from({ length: 50 }, (_, i) =>
        Buffer.concat([compressible(10_000 + i * 997), randomBytes(i * 101), Buffer.from(`#${i}`)]),
      );
      const stored = await Promise.all(inputs.map((raw) => codec.compress(raw)));
      const back = await Promise.all(stored.map((s, i) => codec.decompress(s, inputs[i]!.length)));
      back.forEach((b, i) => assert.ok(b.equals(inputs[i]!), `block ${i} came back different`));
    });

    test('a rawLength that does not match is BACKUP_CORRUPT', async () => {
      const raw = compressible(5000);
      const stored = await codec.compress(raw);
      await assert.rejects(codec.decompress(stored, raw.length + 1), isCorrupt);
      await assert.rejects(codec.decompress(stored, raw.length - 1), isCorrupt);
      await assert.rejects(codec.decompress(await codec.compress(Buffer.alloc(0)), 1), isCorrupt);
    });

    test('garbage input is BACKUP_CORRUPT', async () => {
      const garbage = Buffer.from('this was never compressed by anything at all');
      const err = await codec.decompress(garbage, 10_000).then(
        () => assert.fail('garbage decompressed'),
        (e: unknown) => e,
      );
      assert.ok(isCorrupt(err), String(err));
      // A library failure keeps the library's error as cause; 'none' only fails on length.
      if (codec.name !== 'none') assert.ok((err as Error).cause !== undefined, 'cause attached');
    });

    test('a flipped byte never comes back as the original data', async () => {
      // Codecs with their own checks (lz4 content checksum, zstd structure) throw BACKUP_CORRUPT.
      // Where a codec cannot tell (always for 'none', possibly for zstd, which writes no checksum),
      // the result must at least differ, so the segment's CRC over the decompressed data catches it.
      const raw = Buffer.concat([compressible(40_000), randomBytes(40_000)]);
      const stored = await codec.compress(raw);
      for (const at of [0, 4, Math.floor(stored.length / 3), Math.floor(stored.length / 2), stored.length - 1]) {
        const bad = Buffer.from(stored);
        bad[at] = bad[at]! ^ 0x5a;
        try {
          const back = await codec.decompress(bad, raw.length);
          assert.ok(!back.equals(raw), `flip at ${at} of ${stored.length} went unnoticed`);
        } catch (err) {
          assert.ok(isCorrupt(err), `flip at ${at}: ${String(err)}`);
        }
      }
      if (codec.name === 'none') {
        // Stated plainly: 'none' returns the flipped bytes; only the segment CRC can catch them.
        const bad = Buffer.from(stored);
        bad[10] = bad[10]! ^ 1;
        assert.ok((await codec.decompress(bad, raw.length)).equals(bad));
      }
    });

    if (levels !== undefined) {
      test(`level ${levels.strong} writes other, smaller output than level ${levels.fast}, and both round trip`, async () => {
        const raw = logLike(MiB);
        const fast = await roundTrip(levels.at(levels.fast), raw);
        const strong = await roundTrip(levels.at(levels.strong), raw);
        assert.ok(!fast.equals(strong), `levels ${levels.fast} and ${levels.strong} wrote the same ${fast.length} bytes: the level is ignored`);
        assert.ok(strong.length < fast.length, `level ${levels.strong}: ${strong.length} bytes, level ${levels.fast}: ${fast.length}`);
        // Blocks are read without knowing their level: any instance decompresses both.
        assert.ok((await codec.decompress(strong, raw.length)).equals(raw));
        assert.ok((await codec.decompress(fast, raw.length)).equals(raw));
      });
    }

    test('does not mutate its inputs, and the result does not alias them', async () => {
      const raw = Buffer.concat([compressible(30_000), randomBytes(30_000)]);
      const rawCopy = Buffer.from(raw);
      const stored = await codec.compress(raw);
      assert.ok(raw.equals(rawCopy), 'compress mutated its input');
      const storedCopy = Buffer.from(stored);
      const back = await codec.decompress(stored, raw.length);
      assert.ok(stored.equals(storedCopy), 'decompress mutated its input');
      raw.fill(0);
      stored.fill(0);
      assert.ok(back.equals(rawCopy), 'the result changed when the caller reused its buffers');
      assert.ok((await codec.decompress(storedCopy, rawCopy.length)).equals(rawCopy));
    });
  });
}
