import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TransferStats } from '../../../src/pipeline/shared/stats.js';

describe('TransferStats', () => {
  test('summary: counters, rates over the elapsed time, compression ratio', () => {
    const s = new TransferStats();
    s.records = 1000;
    s.batches = 10;
    s.rawBytes = 4_000_000;
    s.storedBytes = 1_000_000;
    s.segments = 2;
    s.abortedRecords = 3;
    s.partitionsTotal = 4;
    s.partitionsDone = 4;
    s.gaps = 1;
    s.consumerGroups = 2;
    assert.deepEqual(s.summary(s.startedAt + 2000), {
      records: 1000,
      batches: 10,
      raw_bytes: 4_000_000,
      stored_bytes: 1_000_000,
      segments: 2,
      aborted_records: 3,
      partitions: 4,
      gaps: 1,
      consumer_groups: 2,
      keyless_skipped: 0,
      duration_ms: 2000,
      records_per_sec: 500,
      mb_per_sec: 2,
      compression_ratio: 4,
    });
  });

  test('nothing stored: no ratio; no time elapsed: rates over 1 ms, never a division by zero', () => {
    const s = new TransferStats();
    s.records = 5;
    s.rawBytes = 3_000;
    const at = s.summary(s.startedAt);
    assert.equal(at.compression_ratio, null);
    assert.equal(at.duration_ms, 1);
    assert.equal(at.records_per_sec, 5000);
    assert.equal(at.mb_per_sec, 3);
    assert.equal(s.elapsedMs(s.startedAt - 50), 1, 'a clock step backwards is not a negative duration');
  });

  test('a fresh counter set is all zero', () => {
    const s = new TransferStats();
    const sum = s.summary(s.startedAt + 1000);
    assert.deepEqual(
      [sum.records, sum.batches, sum.raw_bytes, sum.stored_bytes, sum.records_per_sec, sum.mb_per_sec],
      [0, 0, 0, 0, 0, 0],
    );
  });
});
