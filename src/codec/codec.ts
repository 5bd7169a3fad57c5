// The codec seam for segment blocks. Each block of a segment is compressed independently with the
// segment's codec, so a restore can seek to and decompress any single block. The numeric id is what
// docs/format.md stores in the segment header: ids are forever, never reuse or renumber one.

export type CodecName = 'none' | 'zstd' | 'lz4';

export const codecIds: Record<CodecName, number> = { none: 0, zstd: 1, lz4: 2 };

export interface Codec {
  readonly name: CodecName;
  readonly id: number;
  /** Compress one block. Must not retain or mutate `raw` after the promise resolves. */
  compress(raw: Buffer): Promise<Buffer>;
  /**
   * Decompress one block. `rawLength` is the length recorded in the block header; a result of any
   * other length is corruption and must be reported as BACKUP_CORRUPT.
   */
  decompress(stored: Buffer, rawLength: number): Promise<Buffer>;
}
