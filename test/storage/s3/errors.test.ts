// Error classification of the S3 backend: bad credentials and missing buckets against MinIO (clear
// messages naming the backend and the bucket), config combinations zod cannot reject, and the
// mapping of SDK and network errors into KafkaBackupError codes.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isKafkaBackupError, type KafkaBackupError } from '../../../src/errors.js';
import { S3Backend } from '../../../src/storage/s3/backend.js';
import { regionOf } from '../../../src/storage/s3/client.js';
import { mapS3Error } from '../../../src/storage/s3/errors.js';
import { listAll } from '../../conformance/storage-backend.suite.js';
import { createBucket, s3Config, uniqueBucketName } from './helpers.js';

async function failure(promise: Promise<unknown>): Promise<KafkaBackupError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isKafkaBackupError(err), `expected a KafkaBackupError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a failure');
}

describe('S3Backend errors (MinIO)', () => {
  test('wrong credentials: STORAGE_PERMISSION naming s3, the bucket and the keys to check', async () => {
    const bucket = await createBucket();
    const wrongKey = new S3Backend(s3Config(bucket.bucket, { access_key_id: 'nobody', secret_access_key: 'wrong-secret' }));
    const wrongSecret = new S3Backend(s3Config(bucket.bucket, { secret_access_key: 'wrong-secret' }));
    try {
      for (const call of [
        () => wrongKey.put('k', Buffer.from('x')),
        () => wrongKey.get('k'),
        () => wrongKey.head('k'),
        () => listAll(wrongKey, ''),
        () => wrongKey.delete('k'),
      ]) {
        const err = await failure(call());
        assert.equal(err.code, 'STORAGE_PERMISSION', err.message);
        assert.equal(err.retryable, false);
        assert.match(err.message, /^s3 access denied/);
        assert.ok(err.message.includes(`"${bucket.bucket}"`), err.message);
        assert.match(err.message, /access_key_id/);
        assert.ok(err.cause !== undefined);
      }
      const err = await failure(wrongSecret.put('k', Buffer.from('x')));
      assert.equal(err.code, 'STORAGE_PERMISSION');
      assert.match(err.message, /SignatureDoesNotMatch.*check secret_access_key/);
    } finally {
      await wrongKey.close();
      await wrongSecret.close();
      await bucket.remove();
    }
  });

  test('a missing bucket: STORAGE_NOT_FOUND saying the bucket does not exist, also for head()', async () => {
    const name = uniqueBucketName();
    const backend = new S3Backend(s3Config(name));
    try {
      for (const call of [() => backend.put('k', Buffer.from('x')), () => backend.get('k'), () => backend.head('k'), () => listAll(backend, '')]) {
        const err = await failure(call());
        assert.equal(err.code, 'STORAGE_NOT_FOUND', err.message);
        assert.match(err.message, new RegExp(`^s3 bucket "${name}" does not exist \\(endpoint http://127`));
      }
      const writer = backend.createWriter('w');
      await writer.write(Buffer.from('x'));
      assert.equal((await failure(writer.finish())).code, 'STORAGE_NOT_FOUND');
    } finally {
      await backend.close();
    }
  });

  test('an unreachable endpoint: retryable STORAGE_IO', async () => {
    const backend = new S3Backend(s3Config('some-bucket', { endpoint: 'http://127.0.0.1:1' }));
    try {
      const err = await failure(backend.get('k'));
      assert.equal(err.code, 'STORAGE_IO');
      assert.equal(err.retryable, true);
      assert.match(err.message, /ECONNREFUSED/);
    } finally {
      await backend.close();
    }
  });
});

describe('S3 config checks', () => {
  test('key combinations the schema cannot reject are CONFIG_INVALID', () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ secret_access_key: undefined }, /access_key_id and secret_access_key must be given together/],
      [{ access_key_id: undefined, secret_access_key: undefined, session_token: 't' }, /session_token needs/],
      [{ sse_kms_key_id: 'k' }, /sse_kms_key_id needs server_side_encryption aws:kms/],
      [{ server_side_encryption: 'AES256', sse_kms_key_id: 'k' }, /sse_kms_key_id needs/],
    ];
    for (const [overrides, message] of bad) {
      assert.throws(
        () => new S3Backend(s3Config('b-bucket', overrides)),
        (err: unknown) => isKafkaBackupError(err, 'CONFIG_INVALID') && message.test(err.message),
      );
    }
    new S3Backend(s3Config('b-bucket', { server_side_encryption: 'aws:kms', sse_kms_key_id: 'k' })).close();
  });

  test('region: as configured, us-east-1 with an endpoint, else the SDK chain', () => {
    assert.equal(regionOf(s3Config('b-bucket', { region: 'eu-west-1' })), 'eu-west-1');
    assert.equal(regionOf(s3Config('b-bucket', { region: undefined })), 'us-east-1');
    assert.equal(regionOf(s3Config('b-bucket', { region: undefined, endpoint: undefined })), undefined);
  });
});

describe('mapS3Error', () => {
  const context = { verb: 'reading' as const, key: 'k', bucket: 'b', location: 's3://b', where: 'endpoint http://x' };
  const sdk = (name: string, status: number | undefined, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra });

  test('codes and retryable', () => {
    const cases: Array<[Error, string, boolean]> = [
      [sdk('NoSuchKey', 404), 'STORAGE_NOT_FOUND', false],
      [sdk('NotFound', 404), 'STORAGE_NOT_FOUND', false],
      [sdk('NoSuchBucket', 404), 'STORAGE_NOT_FOUND', false],
      [sdk('AccessDenied', 403), 'STORAGE_PERMISSION', false],
      [sdk('Unknown', 403), 'STORAGE_PERMISSION', false],
      [sdk('ExpiredToken', 400), 'STORAGE_PERMISSION', false],
      [sdk('CredentialsProviderError', undefined), 'STORAGE_PERMISSION', false],
      [sdk('SlowDown', 503), 'STORAGE_IO', true],
      [sdk('TooManyRequests', 429), 'STORAGE_IO', true],
      [sdk('InternalError', 500), 'STORAGE_IO', true],
      [sdk('RequestTimeout', 400), 'STORAGE_IO', true],
      [sdk('TimeoutError', undefined), 'STORAGE_IO', true],
      [sdk('NotImplemented', 501), 'STORAGE_IO', false],
      [sdk('InvalidRange', 416), 'STORAGE_IO', false],
      [sdk('InvalidArgument', 400), 'STORAGE_IO', false],
      [sdk('PermanentRedirect', 301), 'STORAGE_IO', false],
      [sdk('Error', undefined, { code: 'ECONNRESET' }), 'STORAGE_IO', true],
      [new Error('socket hang up'), 'STORAGE_IO', true],
      [sdk('AbortError', undefined), 'STORAGE_IO', false],
      [new Error('something else'), 'STORAGE_IO', false],
    ];
    for (const [err, code, retryable] of cases) {
      const mapped = mapS3Error(err, context);
      assert.equal(mapped.code, code, `${err.name}: ${mapped.message}`);
      assert.equal(mapped.retryable, retryable, `${err.name} retryable`);
      assert.equal(mapped.cause, err);
    }
    assert.match(mapS3Error(sdk('NoSuchKey', 404), context).message, /object "k" not found in s3:\/\/b/);
    assert.match(mapS3Error(sdk('PermanentRedirect', 301), context).message, /set storage\.region/);
  });
});
