// A minimal cursor over a Kafka response payload. Only what Fetch and Produce responses need.
// int64 fields are returned as JS numbers through records/int64.ts: a value beyond 2^53 is
// RECORD_FORMAT naming the field (docs/design.md invariant 14), never rounded.

import { readSafeInt64 } from '../../records/int64.js';

export class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  int8(): number {
    const v = this.buf.readInt8(this.pos);
    this.pos += 1;
    return v;
  }
  int16(): number {
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  /** `field` names the value in the error when it is beyond 2^53 ("Fetch orders/3 high_watermark"). */
  int64(field: string): number {
    const v = readSafeInt64(this.buf, this.pos, field);
    this.pos += 8;
    return v;
  }
  /** Steps over a field the caller does not use (no range check: its value cannot matter). */
  skip(bytes: number): void {
    if (this.pos + bytes > this.buf.length) throw new RangeError(`skipping ${bytes} bytes at ${this.pos} of ${this.buf.length}`);
    this.pos += bytes;
  }
  string(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  /** Nullable bytes as a view into the payload (no copy). */
  bytes(): Buffer | null {
    const len = this.int32();
    if (len < 0) return null;
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }
  array<T>(item: (r: Reader) => T): T[] {
    const n = this.int32();
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(this));
    return out;
  }
}
