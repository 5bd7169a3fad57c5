// Reads a download's body stream into one buffer of the announced length, without the transient
// second copy a chunk list plus Buffer.concat would make (gets of whole segments are large).

export class LengthMismatch extends Error {
  constructor(readonly received: number) {
    super(`the response body ended after ${received} bytes`);
    this.name = 'LengthMismatch';
  }
}

export async function readBody(stream: NodeJS.ReadableStream | undefined, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  if (stream === undefined) {
    if (length === 0) return buffer;
    throw new LengthMismatch(0);
  }
  let filled = 0;
  for await (const piece of stream as AsyncIterable<Buffer | string>) {
    const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
    if (filled + bytes.length > length) throw new LengthMismatch(filled + bytes.length);
    bytes.copy(buffer, filled);
    filled += bytes.length;
  }
  if (filled !== length) throw new LengthMismatch(filled);
  return buffer;
}
