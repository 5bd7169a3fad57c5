// lz4 via lz4-napi, in the LZ4 frame format (magic 04 22 4D 18), not the raw block format: a frame
// is self-describing, so any standard lz4 tool can read a block extracted from a segment.
// Frames are written with a content checksum (xxHash32), so the codec itself detects corruption.

import { compressFrame, decompressFrame } from 'lz4-napi';
import { codecIds, type Codec } from './codec.js';
import { checkedCompress, checkedDecompress } from './checked.js';

export function createLz4Codec(): Codec {
  return {
    name: 'lz4',
    id: codecIds.lz4,
    compress: (raw) => checkedCompress('lz4', () => compressFrame(raw, { contentChecksum: true })),
    decompress: (stored, rawLength) => checkedDecompress('lz4', rawLength, () => decompressFrame(stored)),
  };
}
