// Classification of SDK and network errors (unit tests on errors.ts, with the SDK's own RestError).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RestError } from '@azure/storage-blob';
import { mapAzureError } from '../../../src/storage/azure/errors.js';

const context = { verb: 'reading' as const, key: 'topics/t/0/seg', location: 'azure://acct/cont/p', account: 'acct', container: 'cont' };

function rest(statusCode: number | undefined, code?: string, message = 'service message\nRequestId:x\nTime:y'): RestError {
  return new RestError(message, { ...(statusCode === undefined ? {} : { statusCode }), ...(code === undefined ? {} : { code }) });
}

function classify(err: unknown): { code: string; retryable: boolean; message: string; cause: unknown } {
  const mapped = mapAzureError(err, context);
  return { code: mapped.code, retryable: mapped.retryable, message: mapped.message, cause: mapped.cause };
}

describe('mapAzureError', () => {
  test('transient answers and network failures are retryable STORAGE_IO, with the cause attached', () => {
    const transient = [
      rest(500, 'InternalError'),
      rest(503, 'ServerBusy'),
      rest(429),
      rest(504),
      rest(408),
      rest(undefined, 'REQUEST_SEND_ERROR', 'connect ECONNREFUSED 127.0.0.1:1'),
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      new Error('socket hang up'),
      Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' }),
      Object.assign(new Error('no data on the connection for 120000 ms'), { code: 'ETIMEDOUT' }),
    ];
    for (const err of transient) {
      const c = classify(err);
      assert.equal(c.code, 'STORAGE_IO', String(err));
      assert.equal(c.retryable, true, String(err));
      assert.equal(c.cause, err);
    }
  });

  test('permanent answers are not retryable; the service message keeps its first line', () => {
    for (const err of [rest(400, 'InvalidHeaderValue'), rest(409, 'LeaseIdMissing'), rest(416, 'InvalidRange'), new Error('something else')]) {
      const c = classify(err);
      assert.equal(c.code, 'STORAGE_IO');
      assert.equal(c.retryable, false, String(err));
      assert.doesNotMatch(c.message, /RequestId/);
    }
    const dns = classify(Object.assign(new Error('getaddrinfo ENOTFOUND acct.blob.core.windows.net'), { code: 'ENOTFOUND' }));
    assert.equal(dns.retryable, false);
    assert.match(dns.message, /account_name or endpoint/);
  });

  test('404, 409/412 conditions, 401/403 and credential failures', () => {
    assert.equal(classify(rest(404, 'BlobNotFound')).code, 'STORAGE_NOT_FOUND');
    assert.match(classify(rest(404, 'BlobNotFound')).message, /"topics\/t\/0\/seg" not found in azure:\/\/acct\/cont\/p/);
    // HEAD answers carry the code only in details.errorCode (the x-ms-error-code header).
    const headMissingContainer = Object.assign(rest(404, undefined, ''), { details: { errorCode: 'ContainerNotFound' } });
    assert.equal(classify(headMissingContainer).code, 'STORAGE_NOT_FOUND');
    assert.match(classify(headMissingContainer).message, /container "cont" of account "acct" does not exist/);
    assert.equal(classify(rest(412, 'ConditionNotMet')).code, 'STORAGE_PRECONDITION');
    assert.equal(classify(rest(409, 'BlobAlreadyExists')).code, 'STORAGE_PRECONDITION');
    const denied = classify(rest(403, 'AuthenticationFailed'));
    assert.equal(denied.code, 'STORAGE_PERMISSION');
    assert.match(denied.message, /Azure Blob refused reading .* container "cont" of account "acct": check account_name and account_key/);
    assert.match(classify(rest(403, 'AuthorizationPermissionMismatch')).message, /Storage Blob Data Contributor/);
    assert.equal(classify(rest(401, 'InvalidAuthenticationInfo')).code, 'STORAGE_PERMISSION');
    const noIdentity = Object.assign(new Error('ChainedTokenCredential authentication failed.'), { name: 'AggregateAuthenticationError' });
    assert.equal(classify(noIdentity).code, 'STORAGE_PERMISSION');
    assert.match(classify(noIdentity).message, /DefaultAzureCredential/);
  });
});
