// zstd via @mongodb-js/zstd: both directions run on the libuv threadpool, off the event loop.
// The library writes frames without a content checksum; the segment's CRC covers integrity.
//
// Compression calls the package's native binding, not its public compress(): in 1.2.2 the JS
// wrapper (index.js) is `compress(data)` and drops the level, so every block came out at the
// binding's default, level 3, whatever was configured. The binding itself is
// `compress(data: Buffer, level?: i32)` (src/lib.rs at v1.2.2: `zstd::stream::encode_all(data,
// level)`, level 0 or absent meaning 3, out-of-range levels clamped by libzstd). The level test in
// test/codec/zstd.test.ts fails if an upgrade changes that.

import { createRequire } from 'node:module';
import { decompress } from '@mongodb-js/zstd';
import { KafkaBackupError } from '../errors.js';
import { codecIds, type Codec } from './codec.js';
import { checkedCompress, checkedDecompress } from './checked.js';

interface ZstdBinding {
  compress(data: Buffer, level?: number): Promise<Buffer>;
}

// The package is CommonJS with no typings for bindings.js; it picks the platform's .node file.
const binding = createRequire(import.meta.url)('@mongodb-js/zstd/bindings.js') as ZstdBinding;

export const zstdDefaultLevel = 3;
export const zstdMinLevel = 1;
export const zstdMaxLevel = 22;

/** `level` only affects compression; any level decompresses any zstd block. */
export function createZstdCodec(level: number = zstdDefaultLevel): Codec {
  if (!Number.isInteger(level) || level < zstdMinLevel || level > zstdMaxLevel) {
    throw new KafkaBackupError(
      'CONFIG_INVALID',
      `zstd level must be an integer from ${zstdMinLevel} to ${zstdMaxLevel}, got ${level}`,
      { level },
    );
  }
  return {
    name: 'zstd',
    id: codecIds.zstd,
    compress: (raw) => checkedCompress('zstd', () => binding.compress(raw, level)),
    decompress: (stored, rawLength) => checkedDecompress('zstd', rawLength, () => decompress(stored)),
  };
}
