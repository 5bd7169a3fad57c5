import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KafkaBackupError, isKafkaBackupError } from '../../src/errors.js';
import { parseSafeInt64, readSafeInt64, safeInt64 } from '../../src/records/int64.js';

const refused = (field: string, value: string) => (err: unknown) =>
  isKafkaBackupError(err, 'RECORD_FORMAT') && err.message.includes(`${field} ${value}`) && err.details.field === field;

test('safeInt64 takes decimal strings and bigints inside the safe range exactly', () => {
  for (const v of ['0', '-1', '42', String(Number.MAX_SAFE_INTEGER), String(-Number.MAX_SAFE_INTEGER)]) {
    assert.equal(safeInt64(v, 'f'), Number(v));
    assert.equal(safeInt64(BigInt(v), 'f'), Number(v));
  }
});

test('safeInt64 refuses values beyond 2^53 with the exact value, never rounding', () => {
  for (const v of ['9007199254740992', '9007199254740993', '-9007199254740993', '9223372036854775807']) {
    assert.throws(() => safeInt64(v, 'the field'), refused('the field', v));
  }
});

test('safeInt64 refuses text that is not an integer', () => {
  for (const v of ['', ' ', '1.5', 'abc', '1e3']) {
    assert.throws(() => safeInt64(v, 'f'), (err) => isKafkaBackupError(err, 'RECORD_FORMAT') && err.message.includes('is not an integer'));
  }
});

test('readSafeInt64 reports through the caller\'s error when given one', () => {
  const buf = Buffer.alloc(8);
  buf.writeBigInt64BE(2n ** 53n + 1n);
  assert.throws(() => readSafeInt64(buf, 0, 'f'), refused('f', '9007199254740993'));
  const mine = (field: string, value: string) => new KafkaBackupError('BACKUP_CORRUPT', `${field}=${value}`);
  assert.throws(() => readSafeInt64(buf, 0, 'f', mine), (err) => isKafkaBackupError(err, 'BACKUP_CORRUPT') && err.message === 'f=9007199254740993');
});

test('parseSafeInt64 reads a key name\'s decimal exactly, and answers undefined for anything else', () => {
  assert.equal(parseSafeInt64('00000000000000000100'), 100);
  assert.equal(parseSafeInt64('09007199254740991'), Number.MAX_SAFE_INTEGER);
  assert.equal(parseSafeInt64('-5'), -5);
  for (const text of ['09007199254740992', '99999999999999999999', '', '1e3', '0x10', ' 1', '1.0']) {
    assert.equal(parseSafeInt64(text), undefined, JSON.stringify(text));
  }
});
