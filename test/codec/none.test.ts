import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNoneCodec } from '../../src/codec/none.js';
import { defineCodecSuite } from '../conformance/codec.suite.js';

defineCodecSuite(() => createNoneCodec());

test('none stores blocks byte for byte', async () => {
  const raw = Buffer.from('stored as is');
  assert.ok((await createNoneCodec().compress(raw)).equals(raw));
});
