// zstd via @mongodb-js/zstd: both directions run on the libuv threadpool, off the event loop.
// The library writes frames without a content checksum; the segment's CRC covers integrity.

import { compress, decompress } from '@mongodb-js/zstd';
import { KafkaBackupError } from '../errors.js';
import { codecIds, type Codec } from './codec.js';
import { checkedCompress, checkedDecompress } from './checked.js';

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
    compress: (raw) => checkedCompress('zstd', () => compress(raw, level)),
    decompress: (stored, rawLength) => checkedDecompress('zstd', rawLength, () => decompress(stored)),
  };
}
