// Shared error handling for codec implementations, so every codec reports corruption the same way.

import { KafkaBackupError, describeError } from '../errors.js';
import type { CodecName } from './codec.js';

/**
 * Runs a decompressor and enforces the Codec.decompress contract: any exception from the library
 * (garbage input, failed checksum) and any result whose length differs from `rawLength` become
 * BACKUP_CORRUPT. The library error is kept as `cause`.
 */
export async function checkedDecompress(
  codec: CodecName,
  rawLength: number,
  run: () => Promise<Buffer>,
): Promise<Buffer> {
  let out: Buffer;
  try {
    out = await run();
  } catch (err) {
    throw new KafkaBackupError('BACKUP_CORRUPT', `${codec} block does not decompress: ${describeError(err)}`, {
      cause: err,
      codec,
      rawLength,
    });
  }
  if (out.length !== rawLength) {
    throw new KafkaBackupError(
      'BACKUP_CORRUPT',
      `${codec} block decompressed to ${out.length} bytes but its header says ${rawLength}`,
      { codec, rawLength, actualLength: out.length },
    );
  }
  return out;
}

/** Compression cannot fail on valid input, so a library failure here is a bug (or out of memory). */
export async function checkedCompress(codec: CodecName, run: () => Promise<Buffer>): Promise<Buffer> {
  try {
    return await run();
  } catch (err) {
    throw new KafkaBackupError('INTERNAL', `${codec} compression failed: ${describeError(err)}`, { cause: err, codec });
  }
}
