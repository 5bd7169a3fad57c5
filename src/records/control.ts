// Control batches (attributes bit 5) carry transaction markers and other broker-written records.
// A control batch holds one record whose key is int16 version + int16 type (0 ABORT, 1 COMMIT;
// other types, e.g. KRaft's, are 'unknown'). Control batches are never compressed. Like the Java
// client (ControlRecordType.parse), only the first record is read and a key shorter than 4 bytes
// is malformed.

import { KafkaBackupError } from '../errors.js';
import { BATCH_HEADER_SIZE, attributeBits, batchLayout } from './batch.js';
import { enterRecord } from './record.js';
import { ByteCursor } from './cursor.js';
import { recordFormatError } from './varint.js';

export type ControlType = 'abort' | 'commit' | 'unknown';

/** The marker type of a control batch. Throws INTERNAL if the batch is not a control batch. */
export function controlType(batchBytes: Buffer): ControlType {
  const attributes = batchBytes.readInt16BE(batchLayout.attributes);
  if ((attributes & attributeBits.control) === 0) {
    throw new KafkaBackupError('INTERNAL', 'controlType called on a batch that is not a control batch');
  }
  if ((attributes & attributeBits.codec) !== 0) throw recordFormatError('control batch is compressed');
  if (batchBytes.readInt32BE(batchLayout.recordsCount) < 1) return 'unknown';
  const r = new ByteCursor(batchBytes, BATCH_HEADER_SIZE);
  enterRecord(r);
  r.int8(); // attributes
  r.varlong(); // timestampDelta
  r.varint(); // offsetDelta
  const keyLength = r.varint();
  if (keyLength < 4) throw recordFormatError(`control record key has ${keyLength} bytes; expected at least 4`);
  const key = r.slice(keyLength);
  const version = key.readInt16BE(0);
  if (version < 0) throw recordFormatError(`control record key has negative version ${version}`);
  const type = key.readInt16BE(2);
  return type === 0 ? 'abort' : type === 1 ? 'commit' : 'unknown';
}
