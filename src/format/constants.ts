// Byte-level constants of the segment format. The spec is docs/format.md ("Segment (.kbs)"); every
// number here is pinned by it and by the golden files in test/golden/v1/: never change one.

/** The highest format version this code reads and the one it writes. */
export const FORMAT_VERSION = 1;

/** `KB-SEG\r\n`: the first 8 bytes of a segment. */
export const SEGMENT_MAGIC = Buffer.from('KB-SEG\r\n', 'latin1');
/** `KB-END\r\n`: the last 8 bytes of a segment. */
export const TRAILER_MAGIC = Buffer.from('KB-END\r\n', 'latin1');

export const HEADER_SIZE = 16;
export const BLOCK_HEADER_SIZE = 12;
export const INDEX_COUNT_SIZE = 4;
export const INDEX_ENTRY_SIZE = 64;
export const TRAILER_SIZE = 32;

/** Smallest possible segment: header, one empty-payload block, a one-entry index, trailer. */
export const MIN_SEGMENT_SIZE =
  HEADER_SIZE + BLOCK_HEADER_SIZE + INDEX_COUNT_SIZE + INDEX_ENTRY_SIZE + TRAILER_SIZE;

/** Index entry flags (bit set in the entry's flags word). */
export const BLOCK_FLAG_CONTROL = 1 << 0;
export const BLOCK_FLAG_TRANSACTIONAL = 1 << 1;
export const BLOCK_FLAG_COMPACTED = 1 << 2;
export const BLOCK_FLAGS_KNOWN = BLOCK_FLAG_CONTROL | BLOCK_FLAG_TRANSACTIONAL | BLOCK_FLAG_COMPACTED;

/** Largest value a u32 length or count field can hold. */
export const U32_MAX = 0xffff_ffff;

/** Timestamp fields hold this when a block or segment has no data record. */
export const NO_TIMESTAMP = -1;

/** Width of the zero-padded base offset in segment keys. */
export const SEGMENT_KEY_DIGITS = 20;
export const SEGMENT_SUFFIX = '.kbs';
