// Shared helpers for format tests: write a segment into a MemoryBackend, and assert errors.

import assert from 'node:assert/strict';
import { createCodec, type CodecName } from '../../src/codec/index.js';
import { isKafkaBackupError, type ErrorCode } from '../../src/errors.js';
import { SegmentWriter } from '../../src/format/segment-writer.js';
import type { SegmentSummary } from '../../src/format/manifest.js';
import type { RawBatch } from '../../src/records/batch.js';
import { MemoryBackend } from '../storage/memory-backend.js';

export const codecNames: CodecName[] = ['none', 'zstd', 'lz4'];

/** Writes `batches` as one segment, appending `perAppend` batches at a time. */
export async function writeSegment(
  storage: MemoryBackend,
  key: string,
  codec: CodecName,
  batches: readonly RawBatch[],
  blockMaxBytes: number,
  perAppend = 3,
): Promise<SegmentSummary> {
  const writer = new SegmentWriter({ key, out: storage.createWriter(key), codec: createCodec(codec), blockMaxBytes });
  for (let i = 0; i < batches.length; i += perAppend) await writer.append(batches.slice(i, i + perAppend));
  return writer.finish();
}

/** Asserts that `run` rejects with `code` and a message naming `key`. */
export async function assertFails(run: () => Promise<unknown>, code: ErrorCode, key: string, what = ''): Promise<void> {
  await assert.rejects(run, (err: unknown) => {
    assert.ok(isKafkaBackupError(err), `${what}: expected a KafkaBackupError, got ${String(err)}`);
    assert.equal(err.code, code, `${what}: ${err.message}`);
    assert.ok(err.message.includes(key), `${what}: message does not name the key: ${err.message}`);
    if (process.env.PEEK) console.log(what, "=>", err.message);
    return true;
  });
}

/** A MemoryBackend without the timer tick per operation, for tests that do thousands of them. */
export class FastBackend extends MemoryBackend {
  protected override async operation<T>(body: () => T): Promise<T> {
    return body();
  }
}

/** A MemoryBackend that records every ranged get. */
export class CountingBackend extends FastBackend {
  readonly ranges: { key: string; start: number; end: number }[] = [];
  override get(key: string, range?: { start: number; end: number }): Promise<Buffer> {
    if (range) this.ranges.push({ key, ...range });
    return super.get(key, range);
  }
}
