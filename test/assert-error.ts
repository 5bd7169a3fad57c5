// Shared assertion: a promise rejects with a KafkaBackupError of the given code (and message).
import assert from 'node:assert/strict';
import { isKafkaBackupError, type ErrorCode } from '../src/errors.js';

export async function assertFailsWith(run: Promise<unknown>, code: ErrorCode, pattern?: RegExp): Promise<void> {
  await assert.rejects(run, (err: unknown) => {
    assert.ok(isKafkaBackupError(err), `expected a KafkaBackupError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}
