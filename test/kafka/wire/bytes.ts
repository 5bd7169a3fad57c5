// Test helper: big-endian Kafka protocol primitives, written by hand (independently of
// src/kafka/wire/writer.ts) to build expected requests and fake responses.

export const i8 = (v: number) => Buffer.from([v & 0xff]);
export const i16 = (v: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
};
export const i32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
};
export const i64 = (v: number | bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(v));
  return b;
};
/** A Kafka STRING / NULLABLE_STRING: int16 length (-1 for null) + UTF-8 bytes. */
export const str = (s: string | null) => (s === null ? i16(-1) : Buffer.concat([i16(Buffer.byteLength(s)), Buffer.from(s)]));
/** Kafka BYTES / NULLABLE_BYTES / RECORDS: int32 length (-1 for null) + bytes. */
export const bytes = (b: Buffer | null) => (b === null ? i32(-1) : Buffer.concat([i32(b.length), b]));
/** A Kafka ARRAY: int32 count + the items; null writes count -1. */
export const array = (items: Buffer[] | null) => (items === null ? i32(-1) : Buffer.concat([i32(items.length), ...items]));
export const cat = (...parts: Buffer[]) => Buffer.concat(parts);
