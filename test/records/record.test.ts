import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isKafkaBackupError } from '../../src/errors.js';
import {
  type KafkaRecord,
  decodeRecords,
  encodeRecords,
  recordTimestampRange,
  recordTimestampsMin,
} from '../../src/records/record.js';

const isRecordFormat = (err: unknown) => isKafkaBackupError(err, 'RECORD_FORMAT');

const records: KafkaRecord[] = [
  { attributes: 0, timestampDelta: 0, offsetDelta: 0, key: null, value: null, headers: [] },
  { attributes: 0, timestampDelta: -5000, offsetDelta: 1, key: Buffer.alloc(0), value: Buffer.alloc(0), headers: [] },
  {
    attributes: 0,
    timestampDelta: 2 ** 40,
    offsetDelta: 7,
    key: Buffer.from([0xff, 0xfe, 0x00]),
    value: Buffer.alloc(300, 0xab),
    headers: [
      { key: Buffer.from([0xc3, 0x28]), value: Buffer.from([0, 1, 2]) }, // not valid UTF-8
      { key: Buffer.from('dup'), value: Buffer.from('first') },
      { key: Buffer.from('dup'), value: null },
      { key: Buffer.from('dup'), value: Buffer.alloc(0) },
      { key: Buffer.alloc(0), value: Buffer.from('empty key') },
    ],
  },
  { attributes: 0, timestampDelta: -1, offsetDelta: 200, key: Buffer.from('k'), value: Buffer.alloc(70_000, 1), headers: [] },
];

describe('records', () => {
  test('decode(encode(records)) equals the records, and re-encoding reproduces identical bytes', () => {
    const section = encodeRecords(records);
    const decoded = decodeRecords(section, records.length);
    assert.deepEqual(decoded, records);
    assert.equal(decoded[0]!.key, null);
    assert.equal(decoded[0]!.value, null);
    assert.equal(decoded[1]!.value!.length, 0);
    assert.equal(decoded[2]!.headers[2]!.value, null);
    assert.equal(decoded[2]!.headers[3]!.value!.length, 0);
    assert.deepEqual(encodeRecords(decoded), section);
    assert.equal(decoded[3]!.value!.buffer, section.buffer); // views, not copies
  });

  test('an empty list is an empty section', () => {
    assert.equal(encodeRecords([]).length, 0);
    assert.deepEqual(decodeRecords(Buffer.alloc(0), 0), []);
  });

  test('malformed sections are RECORD_FORMAT', () => {
    const section = encodeRecords(records);
    assert.throws(() => decodeRecords(section, records.length - 1), isRecordFormat); // bytes left over
    assert.throws(() => decodeRecords(section, records.length + 1), isRecordFormat); // missing record
    assert.throws(() => decodeRecords(section.subarray(0, section.length - 1), records.length), isRecordFormat);
    // a record whose declared length is one byte longer than its fields
    const one = encodeRecords([records[0]!]);
    const padded = Buffer.concat([Buffer.from([one[0]! + 2]), one.subarray(1), Buffer.from([0])]);
    assert.throws(() => decodeRecords(padded, 1), isRecordFormat);
    // header key length -1 (null key) is not allowed
    const nullHeaderKey = Buffer.from([0x0e, 0, 0, 0, 0x01, 0x01, 0x02, 0x01, 0x01]);
    nullHeaderKey[0] = (nullHeaderKey.length - 1) * 2;
    assert.throws(() => decodeRecords(nullHeaderKey, 1), /header key is null/);
  });

  test('recordTimestampRange walks timestamps only, including negative deltas', () => {
    const section = encodeRecords(records);
    const base = 1_700_000_000_000;
    assert.deepEqual(recordTimestampRange(section, records.length, base), { min: base - 5000, max: base + 2 ** 40 });
    assert.equal(recordTimestampsMin(section, records.length, base), base - 5000);
    assert.equal(recordTimestampsMin(encodeRecords([records[0]!]), 1, base), base);
    assert.equal(recordTimestampRange(Buffer.alloc(0), 0, base), undefined);
    assert.throws(() => recordTimestampsMin(Buffer.alloc(0), 0, base), isRecordFormat);
    assert.throws(() => recordTimestampRange(section, records.length - 1, base), isRecordFormat);
    assert.throws(() => recordTimestampRange(section.subarray(0, 200), records.length, base), isRecordFormat);
  });
});
