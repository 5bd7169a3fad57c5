// A Kafka request body as bytes, written by us: big-endian primitives, STRING/NULLABLE_STRING
// (int16 length), BYTES/RECORDS (int32 length) and ARRAY (int32 count), the non-flexible encodings
// our request versions use. The bytes are the request body only; the client that sends them adds
// the header (api key, version, correlation id, client id) and the size.

/** A request ready to send: which API, which version, and the encoded body. */
export interface WireRequest {
  apiKey: number;
  apiVersion: number;
  /** Kafka's name of the API, for client logs. */
  apiName: string;
  body: Buffer;
}

export class Writer {
  private buf: Buffer;
  private pos = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** The bytes written so far (a view, not a copy). */
  get buffer(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  int8(v: number): this {
    this.room(1);
    this.pos = this.buf.writeInt8(v, this.pos);
    return this;
  }
  int16(v: number): this {
    this.room(2);
    this.pos = this.buf.writeInt16BE(v, this.pos);
    return this;
  }
  int32(v: number): this {
    this.room(4);
    this.pos = this.buf.writeInt32BE(v, this.pos);
    return this;
  }
  /** A safe integer (offsets are JS numbers, records/int64.ts); anything else is a bug, thrown. */
  int64(v: number): this {
    this.room(8);
    this.pos = this.buf.writeBigInt64BE(BigInt(v), this.pos);
    return this;
  }
  /** STRING, or NULLABLE_STRING when `s` is null (length -1). */
  string(s: string | null): this {
    if (s === null) return this.int16(-1);
    const len = Buffer.byteLength(s);
    this.int16(len);
    this.room(len);
    this.pos += this.buf.write(s, this.pos, 'utf8');
    return this;
  }
  /** BYTES / RECORDS, or null (length -1). */
  bytes(b: Buffer | null): this {
    if (b === null) return this.int32(-1);
    this.int32(b.length);
    this.room(b.length);
    this.pos += b.copy(this.buf, this.pos);
    return this;
  }
  array<T>(items: readonly T[], write: (w: this, item: T) => void): this {
    this.int32(items.length);
    for (const item of items) write(this, item);
    return this;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = Math.max(64, this.buf.length * 2);
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}
