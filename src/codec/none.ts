// The identity codec: blocks are stored as they are. It cannot detect corruption itself (any bytes
// of the right length "decompress"); the segment's CRC is what catches a flipped byte.

import { codecIds, type Codec } from './codec.js';
import { checkedDecompress } from './checked.js';

export function createNoneCodec(): Codec {
  return {
    name: 'none',
    id: codecIds.none,
    // Copies, so the result never aliases the caller's buffer (the caller may reuse `raw`).
    compress: async (raw) => Buffer.from(raw),
    decompress: (stored, rawLength) => checkedDecompress('none', rawLength, async () => Buffer.from(stored)),
  };
}
