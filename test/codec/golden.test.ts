// Backups written today must restore tomorrow. These files were compressed once (zstd level 3 by
// @mongodb-js/zstd 1.2.2, lz4 frames by lz4-napi 2.10.0) and are never regenerated: a library
// upgrade may change what the compressors write, and that is fine, but every stored block must still
// decompress to the same bytes. So this test asserts decompression only, never compressor output.
// A new codec or format change adds new files; it does not rewrite these.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codecById, codecIds } from '../../src/codec/index.js';

// Tests run from dist/test/codec/; the golden files stay in the source tree, three levels up.
const goldenDir = fileURLToPath(new URL('../../../test/codec/golden/', import.meta.url));

/**
 * The 64 KiB input, from a fixed formula (xorshift32, fixed seed). It cycles through 256-byte runs
 * of a repeated phrase, low-entropy letters and noise, so both match and literal paths are covered.
 * Never change it: the golden files were made from exactly these bytes.
 */
function goldenInput(): Buffer {
  const phrase = Buffer.from('kafka-backup golden block; ');
  const out = Buffer.alloc(64 * 1024);
  let x = 0x2545f491;
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const run = (i >> 8) % 3;
    out[i] = run === 0 ? phrase[i % phrase.length]! : run === 1 ? 0x61 + (x % 4) : x & 0xff;
  }
  return out;
}

test('the golden input formula is unchanged', () => {
  const digest = createHash('sha256').update(goldenInput()).digest('hex');
  assert.equal(digest, GOLDEN_INPUT_SHA256);
});

for (const [file, id] of [
  ['zstd-level3.bin', codecIds.zstd],
  ['lz4-frame.bin', codecIds.lz4],
] as const) {
  test(`stored golden block ${file} still decompresses to the golden input`, async () => {
    const stored = await readFile(goldenDir + file);
    const codec = codecById(id);
    const input = goldenInput();
    assert.ok((await codec.decompress(stored, input.length)).equals(input));
  });
}

const GOLDEN_INPUT_SHA256 = '134d9c5a17fe773d64561f4a41ed87e5b36abe9d8c1c12b1a404abc432de76af';
