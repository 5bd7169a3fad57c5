import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EXIT, exitCodeFor } from '../../src/cli/exit-codes.js';
import { errorCodes, type ErrorCode } from '../../src/errors.js';

describe('exit codes', () => {
  test('each kind of outcome has its own code; 0 is success only', () => {
    const values = Object.values(EXIT);
    assert.equal(new Set(values).size, values.length);
    assert.equal(EXIT.ok, 0);
    for (const v of values) assert.ok(Number.isInteger(v) && v >= 0 && v <= 255, `exit code ${v}`);
  });

  test('every error code maps to a non-zero exit code of the table', () => {
    const known = new Set<number>(Object.values(EXIT));
    for (const code of errorCodes) {
      const exit = exitCodeFor(code);
      assert.ok(known.has(exit), `${code} -> ${exit}`);
      assert.notEqual(exit, EXIT.ok, code);
    }
  });

  test('the mapping', () => {
    const expected: Record<ErrorCode, number> = {
      CONFIG_INVALID: 2,
      USAGE: 2,
      KAFKA_UNREACHABLE: 1,
      KAFKA_AUTH: 1,
      KAFKA_PROTOCOL: 1,
      KAFKA_TOPIC_MISSING: 1,
      STORAGE_NOT_FOUND: 1,
      STORAGE_PRECONDITION: 1,
      STORAGE_PERMISSION: 1,
      STORAGE_IO: 1,
      BACKUP_NOT_FOUND: 1,
      BACKUP_IN_USE: 4,
      BACKUP_CORRUPT: 3,
      FORMAT_UNSUPPORTED: 3,
      RECORD_FORMAT: 1,
      RESTORE_CONFLICT: 4,
      RESTORE_TARGET_LIMIT: 4,
      VALIDATION_FAILED: 3,
      INTERRUPTED: 130,
      INTERNAL: 70,
    };
    assert.deepEqual(Object.keys(expected).sort(), [...errorCodes].sort(), 'the table covers every error code');
    for (const code of errorCodes) assert.equal(exitCodeFor(code), expected[code], code);
  });
});
