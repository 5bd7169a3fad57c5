// Reading a GetObject body into one Buffer. The SDK's transformToByteArray() collects the chunks
// and then concatenates them (twice the object in memory for a moment); with the length announced
// in Content-Length the chunks are copied into one buffer of that size as they arrive.

export interface ReadBody {
  /** The bytes kept: at most the announced length. */
  data: Buffer;
  /** Bytes that arrived, which differs from the announced length when the transfer went wrong. */
  received: number;
}

export async function readBody(body: unknown, length: number | undefined): Promise<ReadBody> {
  if (body === undefined || body === null) return { data: Buffer.alloc(0), received: 0 };
  if (length === undefined || typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function') {
    const bytes = await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
    return { data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), received: bytes.byteLength };
  }
  const data = Buffer.allocUnsafe(length);
  let received = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (received < length) data.set(bytes.subarray(0, length - received), received);
    received += bytes.byteLength;
  }
  return { data: data.subarray(0, Math.min(received, length)), received };
}
