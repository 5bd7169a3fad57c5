import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLz4Codec } from '../../src/codec/lz4.js';
import { defineCodecSuite } from '../conformance/codec.suite.js';

defineCodecSuite(() => createLz4Codec());

test('lz4 output is an LZ4 frame (magic 04 22 4D 18) with a content checksum', async () => {
  const stored = await createLz4Codec().compress(Buffer.from('frame, not block'));
  assert.deepEqual([...stored.subarray(0, 4)], [0x04, 0x22, 0x4d, 0x18]);
  const flg = stored[4]!;
  assert.equal(flg >> 6, 0b01, 'frame format version 01');
  assert.ok((flg & 0x04) !== 0, 'content checksum flag (FLG bit 2)');
});
