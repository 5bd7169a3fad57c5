// Backups written by format version 1 must read forever. v1/ was generated once (see README.md);
// this test only reads it, through the real readers over the filesystem backend.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { effectiveState, readDescriptor } from '../../src/format/descriptor.js';
import { parseManifestKey, topicsPrefix } from '../../src/format/layout.js';
import { readManifest } from '../../src/format/manifest.js';
import { listGroupCaptures, readGroupCapture } from '../../src/format/group-offsets.js';
import { lookup, nextTargetFor, readRestoreState } from '../../src/format/restore-state.js';
import { SegmentReader } from '../../src/format/segment-reader.js';
import { verifyBatchCrc, type BatchHeader } from '../../src/records/batch.js';
import { FilesystemBackend } from '../../src/storage/filesystem/backend.js';

// Tests run from dist/test/golden/; the golden files stay in the source tree, three levels up.
const root = fileURLToPath(new URL('../../../test/golden/v1/', import.meta.url));

interface ExpectedBatch {
  segment: string;
  baseOffset: number;
  lastOffset: number;
  sha256: string;
}

const expected = JSON.parse(await readFile(`${root}expected-batches.json`, 'utf8')) as Record<string, ExpectedBatch[]>;
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('golden backups v1', () => {
  test('all three codecs are pinned, with the same batches', () => {
    assert.deepEqual(Object.keys(expected).sort(), ['lz4-backup', 'none-backup', 'zstd-backup']);
    const strip = (list: ExpectedBatch[]) => list.map(({ segment: _s, ...rest }) => rest);
    assert.deepEqual(strip(expected['zstd-backup']!), strip(expected['none-backup']!));
    assert.deepEqual(strip(expected['lz4-backup']!), strip(expected['none-backup']!));
  });

  for (const [id, batches] of Object.entries(expected)) {
    const codec = id.replace(/-backup$/, '');

    test(`${id}: descriptor → manifest → segments → batches`, async () => {
      const storage = new FilesystemBackend(root);
      const d = (await readDescriptor(storage, id))!.descriptor;
      assert.equal(d.compression.codec, codec);
      assert.equal(effectiveState(d, Date.now()), 'complete');
      assert.deepEqual(d.topics, [{ name: 'orders', partitions: 1 }]);

      const partitions = [];
      for await (const o of storage.list(topicsPrefix(id))) {
        const ref = parseManifestKey(o.key);
        if (ref) partitions.push(ref);
      }
      assert.deepEqual(partitions, [{ id, topic: 'orders', partition: 0 }]);

      const { manifest } = (await readManifest(storage, id, 'orders', 0))!;
      assert.equal(manifest.segments.length, 2);
      assert.deepEqual(manifest.gaps.map((g) => [g.from, g.to, g.reason]), [[42, 100, 'log_start_moved']]);
      assert.equal(manifest.next_offset, 106);

      const read: ExpectedBatch[] = [];
      const headers: BatchHeader[] = [];
      for (const s of manifest.segments) {
        const object = await storage.get(s.key);
        assert.equal(object.length, s.stored_bytes, `${s.key} size`);
        assert.equal(sha256(object), s.sha256, `${s.key} digest`);
        const reader = await SegmentReader.open(storage, s.key, { size: s.stored_bytes });
        assert.equal(reader.codec.name, s.codec);
        assert.equal(reader.formatVersion, 1);
        assert.equal(reader.blocks.length, s.block_count);
        assert.equal(reader.blocks.reduce((n, b) => n + b.dataRecordCount, 0), s.record_count);
        assert.equal(reader.blocks.reduce((n, b) => n + b.batchCount, 0), s.batch_count);
        assert.equal(reader.blocks.reduce((n, b) => n + b.rawLength, 0), s.raw_bytes);
        assert.equal(Math.min(...reader.blocks.filter((b) => b.dataRecordCount > 0).map((b) => b.minTimestamp)), s.min_timestamp);
        assert.equal(Math.max(...reader.blocks.map((b) => b.maxTimestamp)), s.max_timestamp);
        for await (const { header, bytes } of reader.batches()) {
          assert.ok(verifyBatchCrc(bytes), `Kafka CRC of batch ${header.baseOffset}`);
          headers.push(header);
          read.push({ segment: s.key, baseOffset: header.baseOffset, lastOffset: header.lastOffset, sha256: sha256(bytes) });
        }
      }
      assert.deepEqual(read, batches);

      // The golden log keeps covering what it claims to cover.
      assert.ok(headers.some((h) => h.isControl), 'a control batch');
      assert.ok(headers.some((h) => h.isTransactional && !h.isControl), 'a transactional batch');
      assert.ok(headers.some((h) => h.codec === 1), 'a gzip producer batch');
      assert.ok(headers.some((h) => h.timestampType === 'log-append'), 'a log-append-time batch');
      assert.ok(headers.some((h) => h.recordCount === 0), 'an empty compacted batch');
      assert.ok(headers.some((h) => h.recordCount > 0 && h.recordCount !== h.lastOffset - h.baseOffset + 1), 'offset gaps');
    });

    test(`${id}: restore state`, async () => {
      const storage = new FilesystemBackend(root);
      const { state } = (await readRestoreState(storage, id, 'TargetCluster000000000', 'orders-restored', 0))!;
      assert.equal(state.state, 'complete');
      assert.equal(state.records_written, 41);
      assert.equal(lookup(state.offset_map, 0), 0);
      assert.equal(lookup(state.offset_map, 14), undefined, 'the commit marker is not restored');
      assert.equal(lookup(state.offset_map, 15), 14);
      assert.equal(lookup(state.offset_map, 31), 28);
      assert.equal(lookup(state.offset_map, 105), 40);
    });

    test(`${id}: consumer-group capture, translated through the restore state`, async () => {
      const storage = new FilesystemBackend(root);
      assert.deepEqual(await listGroupCaptures(storage, id), [Date.parse('2026-01-01T01:00:00.000Z')]);
      const capture = await readGroupCapture(storage, id, Date.parse('2026-01-01T01:00:00.000Z'));
      assert.equal(capture.source_cluster_id, 'GoldenCluster000000000');
      const { state } = (await readRestoreState(storage, id, 'TargetCluster000000000', 'orders-restored', 0))!;
      const translated = capture.groups.map((g) => {
        const o = g.offsets[0]!;
        return [g.group_id, g.state, o.metadata, nextTargetFor(state.offset_map, o.offset) ?? state.target_start_offset + state.records_written];
      });
      // 14 is the commit marker: the next restored record; 30 a compaction gap: the record at 31; 106 past the end: the end.
      assert.deepEqual(translated, [['audit', 'Empty', null, 41], ['billing', 'Stable', 'billing-v2', 14], ['gap-reader', 'Empty', '', 28]]);
    });
  }
});
