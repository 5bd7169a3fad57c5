import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKafkaBackupError } from '../../src/errors.js';
import { codecById, codecIds, createCodec, type CodecName } from '../../src/codec/index.js';
import { defineCodecSuite } from '../conformance/codec.suite.js';

// The codecs as the rest of the program gets them: through the registry.
defineCodecSuite(() => codecById(codecIds.zstd), { at: (level) => createCodec('zstd', level), fast: 1, strong: 19 });
defineCodecSuite(() => createCodec('lz4'));

test('ids are fixed forever: none=0, zstd=1, lz4=2', () => {
  assert.deepEqual(codecIds, { none: 0, zstd: 1, lz4: 2 });
});

test('createCodec and codecById agree for every codec', async () => {
  const raw = Buffer.from('written by name, read back by id');
  for (const name of Object.keys(codecIds) as CodecName[]) {
    const writer = createCodec(name);
    assert.equal(writer.name, name);
    const reader = codecById(writer.id);
    assert.equal(reader.name, name);
    assert.ok((await reader.decompress(await writer.compress(raw), raw.length)).equals(raw));
  }
});

test('createCodec passes the level to zstd and checks it', async () => {
  const raw = Buffer.alloc(100_000, 'abcdefgh');
  assert.ok((await createCodec('zstd', 19).compress(raw)).length < raw.length);
  assert.throws(() => createCodec('zstd', 99), (err) => isKafkaBackupError(err, 'CONFIG_INVALID'));
});

test('an unknown codec id is FORMAT_UNSUPPORTED naming the id', () => {
  for (const id of [3, 255, -1]) {
    assert.throws(
      () => codecById(id),
      (err) => isKafkaBackupError(err, 'FORMAT_UNSUPPORTED') && err.message.includes(String(id)) && err.details.codecId === id,
    );
  }
});

test('an unknown codec name is CONFIG_INVALID', () => {
  assert.throws(() => createCodec('brotli' as CodecName), (err) => isKafkaBackupError(err, 'CONFIG_INVALID'));
  assert.throws(() => createCodec('toString' as CodecName), (err) => isKafkaBackupError(err, 'CONFIG_INVALID'));
});
