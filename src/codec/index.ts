// Segment block codecs: pick one by configured name when writing, or by the id stored in a segment
// header when reading. See codec.ts for the contract every codec keeps.

import { KafkaBackupError } from '../errors.js';
import { codecIds, type Codec, type CodecName } from './codec.js';
import { createLz4Codec } from './lz4.js';
import { createNoneCodec } from './none.js';
import { createZstdCodec } from './zstd.js';

export type { Codec, CodecName } from './codec.js';
export { codecIds } from './codec.js';

// A Record over CodecName: adding a name to codec.ts without a factory here fails to compile.
const factories: Record<CodecName, (level?: number) => Codec> = {
  none: () => createNoneCodec(),
  zstd: (level) => createZstdCodec(level),
  lz4: () => createLz4Codec(),
};

/**
 * The codec for writing. `level` applies to zstd only (1..22, default 3); none and lz4 have no
 * levels and ignore it.
 */
export function createCodec(name: CodecName, level?: number): Codec {
  const factory = Object.hasOwn(factories, name) ? factories[name] : undefined;
  if (factory === undefined) {
    throw new KafkaBackupError('CONFIG_INVALID', `unknown codec "${String(name)}"`, { codec: name });
  }
  return factory(level);
}

/** The codec for reading a segment whose header stores `id`. Unknown ids: FORMAT_UNSUPPORTED. */
export function codecById(id: number): Codec {
  const entry = Object.entries(codecIds).find(([, known]) => known === id);
  if (entry === undefined) {
    throw new KafkaBackupError(
      'FORMAT_UNSUPPORTED',
      `unknown segment codec id ${id}: the segment was written by a newer kafka-backup or is damaged`,
      { codecId: id },
    );
  }
  return createCodec(entry[0] as CodecName);
}
