// AWS SDK / network errors → KafkaBackupError, so nothing above the storage seam inspects SDK
// errors. Classification uses the S3 error code (err.name), the HTTP status (HEAD answers have no
// body, so only the status tells), and Node's errno for failures below HTTP.

import { KafkaBackupError, isKafkaBackupError } from '../../errors.js';

/** What the backend was doing, for messages. */
export type S3Verb = 'reading' | 'writing' | 'listing' | 'deleting' | 'sweeping';

export interface S3ErrorContext {
  verb: S3Verb;
  /** The object key (relative, as the caller passed it), when the call was about one object. */
  key?: string;
  bucket: string;
  /** s3://bucket/prefix */
  location: string;
  /** "endpoint http://..." or "region eu-west-1", for messages about the bucket or the account. */
  where: string;
}

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: unknown;
}

export function httpStatus(err: unknown): number | undefined {
  const status = (err as SdkErrorShape | null | undefined)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

export function errorName(err: unknown): string | undefined {
  const name = (err as SdkErrorShape | null | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}

function errno(err: unknown): string | undefined {
  const code = (err as SdkErrorShape | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A 404 about the object (not the bucket). HEAD 404s carry no code: 'NotFound'. */
export function isMissingObject(err: unknown): boolean {
  const name = errorName(err);
  return name === 'NoSuchKey' || name === 'NotFound' || (httpStatus(err) === 404 && name !== 'NoSuchBucket' && name !== 'NoSuchUpload');
}

/** A lost conditional write: 412, or 409 ConditionalRequestConflict (AWS, concurrent conditional writes). */
export function isPreconditionFailed(err: unknown): boolean {
  const name = errorName(err);
  return httpStatus(err) === 412 || name === 'PreconditionFailed' || name === 'ConditionalRequestConflict';
}

const permissionCodes = new Set([
  'AccessDenied',
  'Forbidden',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'AllAccessDisabled',
  'AccountProblem',
  'CredentialsProviderError',
]);

const retryableCodes = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestThrottled',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestTimeout',
  'RequestTimeoutException',
  'RequestTimeTooSkewed', // the SDK corrects its clock offset from this answer; the next attempt is signed right
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
]);

const retryableErrnos = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

/** Transient: throttling, 5xx (except 501), timeouts, and connections that broke or never opened. */
export function isRetryable(err: unknown): boolean {
  const status = httpStatus(err);
  const name = errorName(err);
  if (name === 'AbortError') return false; // our own cancellation
  if (status === 429 || (status !== undefined && status >= 500 && status !== 501)) return true;
  if (name !== undefined && retryableCodes.has(name)) return true;
  const code = errno(err);
  if (code !== undefined && retryableErrnos.has(code)) return true;
  const message = String((err as SdkErrorShape | null | undefined)?.message ?? '');
  if (/socket hang up|^aborted$|premature close|ECONNRESET|EPIPE/i.test(message)) return true;
  const cause = (err as { cause?: unknown } | null | undefined)?.cause;
  return cause !== undefined && cause !== err && cause !== null && typeof cause === 'object' && isRetryable(cause);
}

function reasonOf(err: unknown): string {
  const name = errorName(err);
  const message = err instanceof Error ? err.message : String(err);
  const status = httpStatus(err);
  const head = [name !== undefined && name !== 'Error' && name !== 'Unknown' ? name : undefined, status === undefined ? undefined : `HTTP ${status}`]
    .filter((x) => x !== undefined)
    .join(', ');
  // HEAD answers have no body; the SDK then says "UnknownError", which tells nothing.
  const text = message === 'UnknownError' || message === '' ? '' : message;
  return [head === '' ? undefined : `(${head})`, text === '' ? undefined : text].filter((x) => x !== undefined).join(' ');
}

function permissionHint(name: string | undefined): string {
  switch (name) {
    case 'InvalidAccessKeyId':
      return 'the server does not know this access key id: check access_key_id';
    case 'SignatureDoesNotMatch':
      return 'the request signature is wrong: check secret_access_key';
    case 'ExpiredToken':
    case 'TokenRefreshRequired':
      return 'the temporary credentials expired: refresh session_token';
    case 'CredentialsProviderError':
      return 'no credentials found: set access_key_id/secret_access_key or configure the AWS SDK default chain (environment, ~/.aws, instance role)';
    default:
      return 'check access_key_id/secret_access_key (or the credentials of the AWS default chain) and that the policy allows s3:GetObject, s3:PutObject, s3:DeleteObject, s3:ListBucket, s3:ListBucketMultipartUploads and s3:AbortMultipartUpload on the bucket';
  }
}

/**
 * Classifies a failed S3 call. KafkaBackupErrors pass through unchanged. The caller decides about
 * preconditions (only a conditional put can lose one) before calling this.
 */
export function mapS3Error(err: unknown, context: S3ErrorContext): KafkaBackupError {
  if (isKafkaBackupError(err)) return err;
  const { verb, key, bucket, location, where } = context;
  const name = errorName(err);
  const status = httpStatus(err);
  const details = { cause: err, location, bucket, ...(key === undefined ? {} : { key }), ...(status === undefined ? {} : { status }) };
  const what = key === undefined ? location : `"${key}" in ${location}`;
  const reason = reasonOf(err);

  if (name === 'NoSuchBucket') {
    const message = `s3 bucket "${bucket}" does not exist (${where}): the bucket does not exist or is misspelled; kafka-backup does not create buckets`;
    return new KafkaBackupError('STORAGE_NOT_FOUND', message, details);
  }
  if (name === 'NoSuchUpload') {
    const message = `s3 multipart upload of ${what} is gone (aborted by a sweep or a lifecycle rule?) ${reason}`;
    return new KafkaBackupError('STORAGE_IO', message, { ...details, retryable: false });
  }
  if (isMissingObject(err)) {
    const message = key === undefined ? `${location} not found ${reason}` : `object "${key}" not found in ${location}`;
    return new KafkaBackupError('STORAGE_NOT_FOUND', message, details);
  }
  if (status === 403 || (name !== undefined && permissionCodes.has(name))) {
    const message = `s3 access denied ${verb} ${what} (bucket "${bucket}", ${where}) ${reason}: ${permissionHint(name)}`;
    return new KafkaBackupError('STORAGE_PERMISSION', message, details);
  }
  if (status === 301 || name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || name === 'IllegalLocationConstraintException') {
    const message = `s3 bucket "${bucket}" is in another region than the client uses (${where}) ${reason}: set storage.region to the bucket's region`;
    return new KafkaBackupError('STORAGE_IO', message, { ...details, retryable: false });
  }
  if (/region is missing/i.test(reason)) {
    const message = `s3 region unknown for bucket "${bucket}": set storage.region (or AWS_REGION)`;
    return new KafkaBackupError('STORAGE_IO', message, { ...details, retryable: false });
  }
  if (status === 416 || name === 'InvalidRange') {
    const message = `short read of ${what}: the range starts past the end of the object ${reason}`;
    return new KafkaBackupError('STORAGE_IO', message, { ...details, retryable: false });
  }
  const message = `s3 I/O error ${verb} ${what} ${reason}`;
  return new KafkaBackupError('STORAGE_IO', message, { ...details, retryable: isRetryable(err) });
}
