import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKafkaBackupError } from '../../src/errors.js';
import { createZstdCodec } from '../../src/codec/zstd.js';
import { defineCodecSuite } from '../conformance/codec.suite.js';

defineCodecSuite(() => createZstdCodec(), { at: (level) => createZstdCodec(level), fast: 1, strong: 19 });

function logLines(count: number): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`2024-05-01T12:${String(i % 60).padStart(2, '0')} INFO request ${i * 7919 % 100_003} served in ${i % 97}ms`);
  return Buffer.from(lines.join('\n'));
}

test('levels 1, 3 and 19 each write their own output, 19 the smallest, and all round trip', async () => {
  const raw = logLines(20_000);
  const stored = new Map<number, Buffer>();
  for (const level of [1, 3, 19]) {
    const codec = createZstdCodec(level);
    const out = await codec.compress(raw);
    assert.ok((await codec.decompress(out, raw.length)).equals(raw), `level ${level}`);
    stored.set(level, out);
  }
  const [l1, l3, l19] = [stored.get(1)!, stored.get(3)!, stored.get(19)!];
  const sizes = `sizes by level 1, 3, 19: ${l1.length}, ${l3.length}, ${l19.length}`;
  assert.ok(!l1.equals(l3) && !l3.equals(l19) && !l1.equals(l19), `two levels wrote the same bytes (${sizes})`);
  // Not monotonic in general: on this input level 1 beats level 3, so only 19 is compared.
  assert.ok(l19.length < l1.length && l19.length < l3.length, sizes);
});

test('the default level is 3 (what golden files and older backups were written with)', async () => {
  const raw = logLines(2_000);
  assert.ok((await createZstdCodec().compress(raw)).equals(await createZstdCodec(3).compress(raw)));
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
