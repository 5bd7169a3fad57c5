import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { READ_COMMITTED } from '../../../src/kafka/transport.js';
import { fetchRequest, readFetchResponse } from '../../../src/kafka/wire/fetch.js';
import { walkBatches } from '../../../src/records/batch.js';
import { isKafkaBackupError } from '../../../src/errors.js';
import { buildBatch, sequentialRecords } from '../../records/build.js';
import { array, bytes, cat, i16, i32, i64, str } from './bytes.js';

/** Hex digits, one field per line, each followed by a `#` comment. */
const hex = (s: string) =>
  Buffer.from(
    s
      .split('\n')
      .map((line) => line.replace(/#.*$/, '').replace(/\s+/g, ''))
      .join(''),
    'hex',
  );

describe('fetchRequest (Fetch v11)', () => {
  test('api key 1, version 11', () => {
    const r = fetchRequest({ maxWaitMs: 1, minBytes: 1, maxBytes: 1, topics: [] });
    assert.deepEqual([r.apiKey, r.apiVersion, r.apiName], [1, 11, 'Fetch']);
    assert.equal(READ_COMMITTED, 1);
  });

  test('encodes the hand-computed layout of a one-topic, one-partition fetch', async () => {
    const r = fetchRequest({
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 52_428_800,
      topics: [{ topic: 'ab', partitions: [{ partition: 2, fetchOffset: 2 ** 40 + 5, partitionMaxBytes: 1_048_576 }] }],
    });
    const expected = hex(`
      ffffffff            # replica_id -1
      000001f4            # max_wait_ms 500
      00000001            # min_bytes 1
      03200000            # max_bytes 52428800
      01                  # isolation_level 1 (read_committed)
      00000000            # session_id 0
      ffffffff            # session_epoch -1
      00000001            # topics: 1
      0002 6162           #   topic "ab"
      00000001            #   partitions: 1
      00000002            #     partition 2
      ffffffff            #     current_leader_epoch -1
      0000010000000005    #     fetch_offset 2^40 + 5
      ffffffffffffffff    #     log_start_offset -1
      00100000            #     partition_max_bytes 1048576
      00000000            # forgotten_topics_data: 0
      0000                # rack_id ""
    `);
    assert.equal(expected.length, 4 * 4 + 1 + 4 + 4 + 4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 4 + 2);
    assert.deepEqual(r.body, expected);
  });

  test('several topics and partitions are written in the given order', async () => {
    const r = fetchRequest({
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 10,
      topics: [
        { topic: 't1', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 5 }, { partition: 9, fetchOffset: 3, partitionMaxBytes: 6 }] },
        { topic: 't2', partitions: [] },
      ],
    });
    const partition = (p: number, offset: number, max: number) => cat(i32(p), i32(-1), i64(offset), i64(-1), i32(max));
    const expected = cat(
      i32(-1), i32(0), i32(0), i32(10), Buffer.from([1]), i32(0), i32(-1),
      array([cat(str('t1'), array([partition(0, 0, 5), partition(9, 3, 6)])), cat(str('t2'), array([]))]),
      array([]),
      str(''),
    );
    assert.deepEqual(r.body, expected);
  });
});

describe('readFetchResponse (Fetch v11)', () => {
  const batch1 = buildBatch({ baseOffset: 950, records: sequentialRecords(3) });
  const batch2 = buildBatch({ baseOffset: 953, records: sequentialRecords(2) });
  // A response may end in the middle of a batch.
  const records = cat(batch1, batch2, batch2.subarray(0, 20));

  const partition = (fields: {
    partition: number;
    errorCode: number;
    hw: number | bigint;
    lso: number | bigint;
    logStart: number | bigint;
    aborted: [number | bigint, number | bigint][] | null;
    records: Buffer | null;
  }) =>
    cat(
      i32(fields.partition),
      i16(fields.errorCode),
      i64(fields.hw),
      i64(fields.lso),
      i64(fields.logStart),
      array(fields.aborted === null ? null : fields.aborted.map(([pid, first]) => cat(i64(pid), i64(first)))),
      i32(-1), // preferred_read_replica
      bytes(fields.records),
    );

  const payload = cat(
    i32(7), // throttle_time_ms
    i16(0), // error_code
    i32(0), // session_id
    array([
      cat(
        str('orders'),
        array([
          partition({ partition: 0, errorCode: 0, hw: 1000, lso: 990, logStart: 5, aborted: [[42, 950], [2n ** 40n, 960]], records }),
          partition({ partition: 1, errorCode: 1, hw: -1, lso: -1, logStart: -1, aborted: null, records: null }),
        ]),
      ),
      cat(str('x'), array([partition({ partition: 4, errorCode: 0, hw: 0, lso: 0, logStart: 0, aborted: [], records: Buffer.alloc(0) })])),
    ]),
  );

  test('decodes two topics, aborted transactions, a null aborted array and null records', async () => {
    const r = readFetchResponse(payload);
    assert.equal(r.throttleTimeMs, 7);
    assert.equal(r.errorCode, 0);
    assert.deepEqual(r.topics.map((t) => [t.topic, t.partitions.map((p) => p.partition)]), [['orders', [0, 1]], ['x', [4]]]);

    const [p0, p1] = r.topics[0]!.partitions;
    assert.deepEqual(
      { ...p0!, records: undefined },
      {
        partition: 0,
        errorCode: 0,
        highWatermark: 1000,
        lastStableOffset: 990,
        logStartOffset: 5,
        abortedTransactions: [{ producerId: 42, firstOffset: 950 }, { producerId: 2 ** 40, firstOffset: 960 }],
        records: undefined,
      },
    );
    assert.deepEqual(p0!.records, records, 'records are the raw bytes, partial trailing batch included');
    const walked = walkBatches(p0!.records);
    assert.deepEqual(walked.batches.map((b) => b.header.baseOffset), [950, 953]);
    assert.equal(walked.consumed, batch1.length + batch2.length);

    // A null aborted_transactions array (count -1) is empty; null records are empty bytes.
    assert.deepEqual(p1, {
      partition: 1,
      errorCode: 1,
      highWatermark: -1,
      lastStableOffset: -1,
      logStartOffset: -1,
      abortedTransactions: [],
      records: Buffer.alloc(0),
    });
    const px = r.topics[1]!.partitions[0]!;
    assert.deepEqual([px.abortedTransactions, px.records.length], [[], 0]);
  });

  test('records are a view into the payload, not a copy', async () => {
    const r = readFetchResponse(payload);
    const p0 = r.topics[0]!.partitions[0]!;
    assert.equal(p0.records.buffer, payload.buffer);
  });

  test('a top-level error and no topics', async () => {
    const r = readFetchResponse(cat(i32(0), i16(70), i32(0), array([])));
    assert.deepEqual(r, { throttleTimeMs: 0, errorCode: 70, topics: [] });
  });

  test('an int64 beyond 2^53 is RECORD_FORMAT naming the field, never a rounded number', async () => {
    const beyond = 2n ** 53n + 1n; // as a JS number it would read back as 2^53
    const fields = { partition: 3, errorCode: 0, hw: 1000, lso: 990, logStart: 5, aborted: [] as [number | bigint, number | bigint][], records: null };
    const cases: [string, Parameters<typeof partition>[0]][] = [
      ['high_watermark', { ...fields, hw: beyond }],
      ['last_stable_offset', { ...fields, lso: beyond }],
      ['log_start_offset', { ...fields, logStart: -beyond }],
      ['aborted_transactions[1].first_offset', { ...fields, aborted: [[1, 2], [7, beyond]] }],
      ['aborted_transactions[0].producer_id', { ...fields, aborted: [[2n ** 63n - 1n, 2]] }],
    ];
    for (const [field, p] of cases) {
      const response = cat(i32(0), i16(0), i32(0), array([cat(str('orders'), array([partition(p)]))]));
      assert.throws(() => readFetchResponse(response),
        (err) =>
          isKafkaBackupError(err, 'RECORD_FORMAT') &&
          err.message.includes(`Fetch response orders/3 ${field}`) &&
          /900719925474099[23]|9223372036854775807/.test(err.message),
        field,
      );
    }
  });

  test('-1 sentinels and the largest safe offset read exactly', async () => {
    const max = Number.MAX_SAFE_INTEGER;
    const p = partition({ partition: 0, errorCode: 0, hw: max, lso: -1, logStart: -1, aborted: [[-1, max]], records: null });
    const r = readFetchResponse(cat(i32(0), i16(0), i32(0), array([cat(str('t'), array([p]))])));
    const got = r.topics[0]!.partitions[0]!;
    assert.deepEqual([got.highWatermark, got.lastStableOffset, got.logStartOffset], [max, -1, -1]);
    assert.deepEqual(got.abortedTransactions, [{ producerId: -1, firstOffset: max }]);
  });

  test('a truncated response fails instead of returning garbage', async () => {
    assert.throws(() => readFetchResponse(payload.subarray(0, 40)), RangeError);
  });
});
