// Classification of SDK, HTTP and socket failures (unit tests: the error shapes are those the SDK
// and its libraries produce, as seen against the emulator and documented for GCS).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KafkaBackupError } from '../../../src/errors.js';
import { errorCode, httpStatus, mapGcsError, objectMissing, saysBucketMissing, type GcsErrorContext } from '../../../src/storage/gcs/errors.js';

const ctx: GcsErrorContext = { verb: 'reading', bucket: 'backups', location: 'gs://backups/kafka', key: 'a/b' };

function apiError(code: number, message: string): Error {
  return Object.assign(new Error(message), { code, errors: [{ reason: 'x', message }] });
}

describe('GCS error classification', () => {
  test('HTTP statuses', () => {
    const cases: Array<[number, string, boolean, RegExp]> = [
      [404, 'STORAGE_NOT_FOUND', false, /gcs bucket "backups" does not exist \(gs:\/\/backups\/kafka\)/],
      [412, 'STORAGE_PRECONDITION', false, /conditional write of "a\/b" in gs:\/\/backups\/kafka lost/],
      [401, 'STORAGE_PERMISSION', false, /^gcs: no valid credentials for bucket "backups".*check storage\.key_file/],
      [403, 'STORAGE_PERMISSION', false, /^gcs bucket "backups" denied access .*roles\/storage\.objectAdmin/],
      [408, 'STORAGE_IO', true, /HTTP 408/],
      [409, 'STORAGE_IO', true, /HTTP 409/],
      [429, 'STORAGE_IO', true, /HTTP 429/],
      [500, 'STORAGE_IO', true, /HTTP 500/],
      [503, 'STORAGE_IO', true, /HTTP 503/],
      [400, 'STORAGE_IO', false, /HTTP 400/],
    ];
    for (const [status, code, retryable, message] of cases) {
      const cause = apiError(status, 'server says so');
      const err = mapGcsError(cause, ctx);
      assert.equal(err.code, code, `HTTP ${status}`);
      assert.equal(err.retryable, retryable, `HTTP ${status}`);
      assert.match(err.message, message, `HTTP ${status}`);
      assert.equal(err.cause, cause, `HTTP ${status}: the cause is attached`);
    }
  });

  test('409 on a conditional write is a lost condition', () => {
    const err = mapGcsError(apiError(409, 'conflict'), { ...ctx, verb: 'writing', conditional: true });
    assert.equal(err.code, 'STORAGE_PRECONDITION');
  });

  test('gaxios shapes: status on the error or on its response', () => {
    const gaxios = Object.assign(new Error('Upload failed'), { status: 503, response: { status: 503 } });
    assert.equal(httpStatus(gaxios), 503);
    assert.equal(mapGcsError(gaxios, ctx).retryable, true);
    const nested = Object.assign(new Error('x'), { response: { status: 412 } });
    assert.equal(mapGcsError(nested, ctx).code, 'STORAGE_PRECONDITION');
  });

  test('socket failures are retryable STORAGE_IO, also when wrapped', () => {
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'CONTENT_DOWNLOAD_MISMATCH']) {
      const err = mapGcsError(Object.assign(new Error(`boom ${code}`), { code }), ctx);
      assert.equal(err.code, 'STORAGE_IO', code);
      assert.equal(err.retryable, true, code);
    }
    const wrapped = Object.assign(new Error('request failed'), { cause: Object.assign(new Error('inner'), { code: 'ECONNRESET' }) });
    assert.equal(errorCode(wrapped), 'ECONNRESET');
    assert.equal(mapGcsError(wrapped, ctx).retryable, true);
    assert.equal(mapGcsError(new Error('socket hang up'), ctx).retryable, true);
    assert.equal(mapGcsError(new Error('something odd'), ctx).retryable, false);
    assert.equal(mapGcsError(Object.assign(new Error('no such host'), { code: 'ENOTFOUND' }), ctx).retryable, false);
  });

  test('credential failures without a storage status: STORAGE_PERMISSION', () => {
    const noAdc = new Error('Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication/getting-started for more information.');
    const refused = Object.assign(new Error('invalid_grant: Invalid JWT Signature.'), {
      status: 400,
      response: { status: 400, data: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } },
    });
    const unreadable = Object.assign(new Error("ENOENT: no such file or directory, open '/etc/kb/key.json'"), {
      code: 'ENOENT',
      syscall: 'open',
      path: '/etc/kb/key.json',
    });
    for (const cause of [noAdc, refused, unreadable]) {
      const err = mapGcsError(cause, ctx);
      assert.equal(err.code, 'STORAGE_PERMISSION', cause.message);
      assert.match(err.message, /gcs: no valid credentials for bucket "backups"/);
    }
    assert.match(mapGcsError(unreadable, ctx).message, /\/etc\/kb\/key\.json/);
  });

  test('KafkaBackupErrors pass through; object-level 404s name the key', () => {
    const own = new KafkaBackupError('STORAGE_IO', 'short read', { retryable: false });
    assert.equal(mapGcsError(own, ctx), own);
    const missing = objectMissing(ctx, apiError(404, 'No such object: backups/kafka/a/b'));
    assert.equal(missing.code, 'STORAGE_NOT_FOUND');
    assert.equal(missing.message, 'object "a/b" not found in gs://backups/kafka');
  });

  test('real GCS names a missing bucket; fake-gcs-server does not', () => {
    assert.equal(saysBucketMissing(apiError(404, 'The specified bucket does not exist.')), true);
    assert.equal(saysBucketMissing(apiError(404, 'No such object: backups/kafka/a/b')), false);
    assert.equal(saysBucketMissing(apiError(404, 'Not Found')), false);
  });
});
