import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { produceRequest, readProduceResponse } from '../../../src/kafka/wire/produce.js';
import { isKafkaBackupError } from '../../../src/errors.js';
import { array, bytes, cat, i16, i32, i64, str } from './bytes.js';

describe('produceRequest (Produce v7)', () => {
  test('api key 0, version 7', () => {
    const r = produceRequest({ acks: -1, timeoutMs: 1, topics: [] });
    assert.deepEqual([r.apiKey, r.apiVersion, r.apiName], [0, 7, 'Produce']);
  });

  test('encodes the hand-computed layout of one batch to one partition', async () => {
    const r = produceRequest({ acks: -1, timeoutMs: 30_000, topics: [{ topic: 't', partitions: [{ partition: 1, batch: Buffer.from([1, 2, 3]) }] }] });
    const expected = Buffer.from(
      [
        'ffff', // transactional_id null
        'ffff', // acks -1
        '00007530', // timeout_ms 30000
        '00000001', // topic_data: 1
        '0001 74', //   name "t"
        '00000001', //   partition_data: 1
        '00000001', //     index 1
        '00000003 010203', //     records: 3 bytes
      ]
        .join('')
        .replace(/ /g, ''),
      'hex',
    );
    assert.deepEqual(r.body, expected);
  });

  test('several topics and partitions carry their batches byte for byte', async () => {
    const a = Buffer.from('batch-a');
    const b = Buffer.alloc(300, 9);
    const r = produceRequest({
      acks: 1,
      timeoutMs: 5,
      topics: [
        { topic: 'orders', partitions: [{ partition: 0, batch: a }, { partition: 7, batch: b }] },
        { topic: 'x', partitions: [{ partition: 2, batch: a }] },
      ],
    });
    const expected = cat(
      str(null),
      i16(1),
      i32(5),
      array([
        cat(str('orders'), array([cat(i32(0), bytes(a)), cat(i32(7), bytes(b))])),
        cat(str('x'), array([cat(i32(2), bytes(a))])),
      ]),
    );
    assert.deepEqual(r.body, expected);
  });
});

describe('readProduceResponse (Produce v7)', () => {
  const partition = (index: number, errorCode: number, baseOffset: number | bigint, logAppendTime: number | bigint, logStart: number | bigint) =>
    cat(i32(index), i16(errorCode), i64(baseOffset), i64(logAppendTime), i64(logStart));

  test('decodes every partition of every topic, then throttle_time_ms', async () => {
    const payload = cat(
      array([
        cat(str('orders'), array([partition(0, 0, 2n ** 40n + 3n, -1, 0), partition(5, 6, -1, -1, -1)])),
        cat(str('x'), array([partition(1, 46, -1, 1_700_000_000_000, 12)])),
      ]),
      i32(250),
    );
    const r = readProduceResponse(payload);
    assert.deepEqual(r, {
      topics: [
        {
          topic: 'orders',
          partitions: [
            { partition: 0, errorCode: 0, baseOffset: 2 ** 40 + 3 },
            { partition: 5, errorCode: 6, baseOffset: -1 },
          ],
        },
        { topic: 'x', partitions: [{ partition: 1, errorCode: 46, baseOffset: -1 }] },
      ],
      throttleTimeMs: 250,
    });
  });

  test('an empty response', async () => {
    assert.deepEqual(readProduceResponse(cat(array([]), i32(0))), { topics: [], throttleTimeMs: 0 });
  });

  test('a truncated response fails', async () => {
    const payload = cat(array([cat(str('t'), array([partition(0, 0, 1, -1, 0)]))]), i32(0));
    assert.throws(() => readProduceResponse(payload.subarray(0, payload.length - 2)), RangeError);
  });

  test('a base_offset beyond 2^53 is RECORD_FORMAT naming the field, not a rounded offset', async () => {
    const payload = cat(array([cat(str('orders'), array([partition(2, 0, 2n ** 53n + 1n, -1, 0)]))]), i32(0));
    assert.throws(() => readProduceResponse(payload),
      (err) => isKafkaBackupError(err, 'RECORD_FORMAT') && err.message.includes('Produce response orders/2 base_offset 9007199254740993'),
    );
  });

  test('fields the restore does not use are skipped, whatever their value', async () => {
    const payload = cat(array([cat(str('t'), array([partition(0, 0, 41, 2n ** 62n, -(2n ** 60n))]))]), i32(0));
    const r = readProduceResponse(payload);
    assert.deepEqual(r.topics[0]!.partitions, [{ partition: 0, errorCode: 0, baseOffset: 41 }]);
  });
});
