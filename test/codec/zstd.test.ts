import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKafkaBackupError } from '../../src/errors.js';
import { createZstdCodec } from '../../src/codec/zstd.js';
import { defineCodecSuite } from '../conformance/codec.suite.js';

defineCodecSuite(() => createZstdCodec());

function logLines(count: number): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`2024-05-01T12:${String(i % 60).padStart(2, '0')} INFO request ${i * 7919 % 100_003} served in ${i % 97}ms`);
  return Buffer.from(lines.join('\n'));
}

test('zstd levels 1, 3 and 19 round trip, and a higher level is not larger on compressible data', async () => {
  const raw = logLines(20_000);
  const sizes: number[] = [];
  for (const level of [1, 3, 19]) {
    const codec = createZstdCodec(level);
    const stored = await codec.compress(raw);
    assert.ok((await codec.decompress(stored, raw.length)).equals(raw), `level ${level}`);
    sizes.push(stored.length);
  }
  assert.ok(sizes[0]! >= sizes[1]! && sizes[1]! >= sizes[2]!, `sizes by level 1, 3, 19: ${sizes.join(', ')}`);
});

test('any level decompresses blocks written at another level', async () => {
  const raw = logLines(500);
  const stored = await createZstdCodec(19).compress(raw);
  assert.ok((await createZstdCodec(1).decompress(stored, raw.length)).equals(raw));
});

test('output is a zstd frame (magic 28 B5 2F FD)', async () => {
  const stored = await createZstdCodec().compress(Buffer.from('x'));
  assert.deepEqual([...stored.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd]);
});

test('levels outside 1..22 are CONFIG_INVALID', () => {
  for (const level of [0, 23, -1, 2.5, Number.NaN]) {
    assert.throws(() => createZstdCodec(level), (err) => isKafkaBackupError(err, 'CONFIG_INVALID'), `level ${level}`);
  }
});
