// Byte ranges as every backend checks and reports them (src/storage/backend.ts: get's contract).
import { KafkaBackupError } from '../errors.js';
import type { ByteRange } from './backend.js';

/** A programming error, not a storage one: ranges come from indexes the program wrote. */
export function checkRange(key: string, range: ByteRange): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new KafkaBackupError('INTERNAL', `invalid byte range ${start}-${end} for "${key}"`, { key });
  }
}

/** A read that ended before the bytes asked for: not retryable, the object is what it is. */
export function shortRead(opts: { key: string; location: string; what: string; range?: ByteRange; size?: number; cause?: unknown }): KafkaBackupError {
  const wanted = opts.range === undefined ? 'the whole object' : `bytes ${opts.range.start}-${opts.range.end}`;
  const end = opts.size === undefined ? 'the object is shorter' : `the object ends at ${opts.size}`;
  return new KafkaBackupError('STORAGE_IO', `short read of ${opts.what} in ${opts.location}: wanted ${wanted}, ${end}`, {
    ...(opts.cause === undefined ? {} : { cause: opts.cause }),
    key: opts.key,
    location: opts.location,
    retryable: false,
  });
}
