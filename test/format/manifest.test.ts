import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isKafkaBackupError } from '../../src/errors.js';
import { manifestKey, segmentKey } from '../../src/format/layout.js';
import {
  commitSegment,
  emptyManifest,
  readManifest,
  recordGap,
  writeManifest,
  type PartitionManifest,
  type SegmentSummary,
} from '../../src/format/manifest.js';
import { FastBackend, assertFails } from './helpers.js';

const T = new Date('2026-11-22T05:00:00.000Z');
const KEY = manifestKey('nightly', 'orders', 0);
const code = (c: string) => (err: unknown) => isKafkaBackupError(err) && err.code === c;

function summary(base: number, last: number): SegmentSummary {
  return {
    key: segmentKey('nightly', 'orders', 0, base),
    base_offset: base,
    last_offset: last,
    record_count: last - base + 1,
    batch_count: 3,
    min_timestamp: 1_700_000_000_000,
    max_timestamp: 1_700_000_900_000,
    raw_bytes: 1000,
    stored_bytes: 400,
    block_count: 1,
    codec: 'zstd',
    sha256: 'ab'.repeat(32),
  };
}

function sample(): PartitionManifest {
  const m = commitSegment(emptyManifest('orders', 0, T), summary(0, 1499), 1500, T);
  return commitSegment(recordGap(m, 1500, 2000, 'log_start_moved', T), summary(2000, 2099), 2101, T);
}

async function stored(text: string): Promise<FastBackend> {
  const storage = new FastBackend();
  await storage.put(KEY, Buffer.from(text));
  return storage;
}

describe('partition manifest', () => {
  test('commitSegment and recordGap append and move next_offset forward', () => {
    const m = sample();
    assert.equal(m.next_offset, 2101);
    assert.deepEqual(
      m.segments.map((s) => [s.base_offset, s.next_offset, s.created_at]),
      [
        [0, 1500, T.toISOString()],
        [2000, 2101, T.toISOString()],
      ],
    );
    assert.deepEqual(m.gaps, [{ from: 1500, to: 2000, reason: 'log_start_moved', detected_at: T.toISOString() }]);
    assert.equal(m.updated_at, T.toISOString());
  });

  test('commitSegment and recordGap refuse to go backwards (INTERNAL)', () => {
    const m = sample();
    assert.throws(() => commitSegment(m, summary(2100, 2200), 2201), code('INTERNAL'));
    assert.throws(() => commitSegment(m, summary(3000, 3100), 3100), code('INTERNAL'));
    assert.throws(() => recordGap(m, 2000, 2500, 'log_start_moved'), code('INTERNAL'));
    assert.throws(() => recordGap(m, 2200, 2200, 'log_start_moved'), code('INTERNAL'));
    assert.equal(m.next_offset, 2101, 'the input is not modified');
  });

  test('round trip through storage with conditional writes', async () => {
    const storage = new FastBackend();
    assert.equal(await readManifest(storage, 'nightly', 'orders', 0), undefined);
    const etag = await writeManifest(storage, 'nightly', sample(), { create: true });
    const read = await readManifest(storage, 'nightly', 'orders', 0);
    assert.deepEqual(read, { manifest: sample(), etag });
    const other = { ...sample(), updated_at: '2026-11-22T07:00:00.000Z' };
    await assert.rejects(writeManifest(storage, 'nightly', other, { create: true }), code('STORAGE_PRECONDITION'));
    const etag2 = await writeManifest(storage, 'nightly', sample(), { etag });
    assert.notEqual(etag2, etag);
    await assert.rejects(writeManifest(storage, 'nightly', other, { etag }), code('STORAGE_PRECONDITION'));
    // Identical content under a stale condition is our own earlier write (a retried put): accepted.
    assert.equal(await writeManifest(storage, 'nightly', sample(), { etag }), etag2);
  });

  test('JSON is deterministic: schema key order, 2-space indent, trailing newline', async () => {
    const storage = new FastBackend();
    const m = sample();
    const scrambled = Object.fromEntries(Object.entries(m).reverse()) as PartitionManifest;
    await writeManifest(storage, 'nightly', scrambled);
    const text = storage.objects.get(KEY)!.data.toString();
    assert.equal(text, `${JSON.stringify(m, null, 2)}\n`);
    assert.ok(text.startsWith('{\n  "format_version": 1,\n  "topic": "orders",\n  "partition": 0,\n  "next_offset": 2101,'));
    const segmentKeys = Object.keys((JSON.parse(text) as PartitionManifest).segments[0]!);
    assert.deepEqual(segmentKeys, [
      'key', 'base_offset', 'last_offset', 'next_offset', 'record_count', 'batch_count', 'min_timestamp',
      'max_timestamp', 'raw_bytes', 'stored_bytes', 'block_count', 'codec', 'sha256', 'created_at',
    ]);
  });

  test('invalid JSON or schema is BACKUP_CORRUPT naming the key', async () => {
    const good = sample();
    const cases: [string, string][] = [
      ['not json', '{"format_version": 1,'],
      ['array', '[]'],
      ['missing field', JSON.stringify({ ...good, segments: undefined })],
      ['negative offset', JSON.stringify({ ...good, next_offset: -1 })],
      ['unknown gap reason', JSON.stringify({ ...good, gaps: [{ ...good.gaps[0], reason: 'lost' }] })],
      ['bad sha', JSON.stringify({ ...good, segments: [{ ...good.segments[0], sha256: 'xyz' }] })],
      ['version 0', JSON.stringify({ ...good, format_version: 0 })],
      ['other partition', JSON.stringify({ ...good, partition: 1 })],
      ['foreign segment key', JSON.stringify({ ...good, segments: [{ ...good.segments[0], key: 'other/x.kbs' }] })],
      ['overlap', JSON.stringify({ ...good, gaps: [{ ...good.gaps[0], from: 1499 }] })],
      ['next_offset behind', JSON.stringify({ ...good, next_offset: 2000 })],
      ['unordered segment', JSON.stringify({ ...good, segments: [{ ...good.segments[0], next_offset: 1499 }] })],
    ];
    for (const [what, text] of cases) {
      await assertFails(async () => readManifest(await stored(text), 'nightly', 'orders', 0), 'BACKUP_CORRUPT', KEY, what);
    }
  });

  test('a newer format version is FORMAT_UNSUPPORTED, whatever the rest holds', async () => {
    const text = JSON.stringify({ format_version: 2, something: 'else' });
    await assertFails(async () => readManifest(await stored(text), 'nightly', 'orders', 0), 'FORMAT_UNSUPPORTED', KEY);
  });

  test('writing an invalid manifest is a bug (INTERNAL)', async () => {
    const bad = { ...sample(), segments: [...sample().segments].reverse() };
    await assert.rejects(writeManifest(new FastBackend(), 'nightly', bad), code('INTERNAL'));
    await assert.rejects(writeManifest(new FastBackend(), 'other', sample()), code('INTERNAL'));
  });
});
