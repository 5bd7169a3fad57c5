// SDK, HTTP and socket errors → KafkaBackupError, so nothing above the storage seam looks at them.
//
// The SDK fails in three shapes: ApiError (JSON API, `code` = HTTP status), GaxiosError (resumable
// uploads and the auth library: `status` / `response.status`, `code` = a socket error name), and
// plain socket or fetch errors (`code` = ECONNRESET...). Auth-library failures (no credentials, a
// key file that cannot be read, a token endpoint refusing the key) have no storage status at all.

import { KafkaBackupError, isKafkaBackupError } from '../../errors.js';

export type GcsVerb = 'reading' | 'writing' | 'listing' | 'deleting';

export interface GcsErrorContext {
  verb: GcsVerb;
  bucket: string;
  /** gs://bucket/prefix */
  location: string;
  /** The object key (relative), when the call was about one object. */
  key?: string;
  /** The call was a conditional write: 409 is a lost condition, not a transient conflict. */
  conditional?: boolean;
}

const retryableSocketCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  // The SDK's checksum comparison of a download: the bytes were damaged on the way.
  'CONTENT_DOWNLOAD_MISMATCH',
]);
const retryableMessages = /socket hang up|premature close|network timeout|timed? ?out|ECONNRESET|ECONNREFUSED|EPIPE/i;
/** OAuth error codes of a token endpoint refusing the credentials. */
const oauthErrors = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client', 'access_denied', 'invalid_scope']);
const credentialMessages = /Could not load the default credentials|Could not refresh access token|invalid_grant|No key or keyFile set|private_key|client_email|Unable to detect a Project Id/i;

interface ErrorLike {
  code?: unknown;
  status?: unknown;
  message?: unknown;
  cause?: unknown;
  syscall?: unknown;
  path?: unknown;
  response?: { status?: unknown; data?: unknown };
}

function asLike(err: unknown): ErrorLike {
  return typeof err === 'object' && err !== null ? (err as ErrorLike) : {};
}

/** The HTTP status of a failed call, if the server answered. */
export function httpStatus(err: unknown): number | undefined {
  const e = asLike(err);
  for (const value of [e.code, e.status, e.response?.status]) {
    if (typeof value === 'number' && value >= 100 && value < 600) return value;
  }
  return undefined;
}

/** A socket or library error name (ECONNRESET...), looking through `cause` chains. */
export function errorCode(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let depth = 0; depth < 4 && cur !== undefined && cur !== null; depth++) {
    const code = asLike(cur).code;
    if (typeof code === 'string') return code;
    cur = asLike(cur).cause;
  }
  return undefined;
}

function messageOf(err: unknown): string {
  const m = asLike(err).message;
  return typeof m === 'string' ? m.trim() : String(err);
}

function isCredentialError(err: unknown): boolean {
  const e = asLike(err);
  const data = e.response?.data as { error?: unknown } | undefined;
  if (typeof data?.error === 'string' && oauthErrors.has(data.error)) return true;
  // Reading key_file failed (ENOENT, EACCES): a syscall error carrying the file's path.
  if (typeof e.syscall === 'string' && typeof e.path === 'string') return true;
  return httpStatus(err) === undefined && credentialMessages.test(messageOf(err));
}

function subject(ctx: GcsErrorContext): string {
  return ctx.key === undefined ? ctx.location : `"${ctx.key}" in ${ctx.location}`;
}

/** Storage answered 404 for the bucket itself (an object-level 404 is decided by the caller). */
export function bucketMissing(ctx: GcsErrorContext, cause: unknown): KafkaBackupError {
  return new KafkaBackupError(
    'STORAGE_NOT_FOUND',
    `gcs bucket "${ctx.bucket}" does not exist (${ctx.location}): the bucket must be created before use, check storage.bucket`,
    { cause, bucket: ctx.bucket, location: ctx.location },
  );
}

export function objectMissing(ctx: GcsErrorContext, cause?: unknown): KafkaBackupError {
  return new KafkaBackupError('STORAGE_NOT_FOUND', `object "${ctx.key}" not found in ${ctx.location}`, {
    ...(cause === undefined ? {} : { cause }),
    key: ctx.key,
    location: ctx.location,
  });
}

/** Real GCS says which one is missing; fake-gcs-server answers a bare "Not Found" for both. */
export function saysBucketMissing(err: unknown): boolean {
  return /bucket does not exist|bucket.*not found/i.test(messageOf(err));
}

/**
 * Classifies a failed SDK call. KafkaBackupErrors pass through. A 404 becomes "bucket does not
 * exist" here: callers that can tell an object-level 404 handle it before calling this.
 */
export function mapGcsError(err: unknown, ctx: GcsErrorContext): KafkaBackupError {
  if (isKafkaBackupError(err)) return err;
  const status = httpStatus(err);
  const code = errorCode(err);
  const reason = messageOf(err);
  const details = {
    cause: err,
    location: ctx.location,
    bucket: ctx.bucket,
    ...(ctx.key === undefined ? {} : { key: ctx.key }),
    ...(status === undefined ? {} : { status }),
    ...(code === undefined ? {} : { errorCode: code }),
  };
  if (isCredentialError(err) || status === 401) {
    const how = status === undefined ? reason : `HTTP ${status}: ${reason}`;
    const message =
      `gcs: no valid credentials for bucket "${ctx.bucket}" ${ctx.verb} ${subject(ctx)} (${how}): ` +
      'check storage.key_file, or the Application Default Credentials when key_file is not set';
    return new KafkaBackupError('STORAGE_PERMISSION', message, details);
  }
  if (status === 403) {
    const message =
      `gcs bucket "${ctx.bucket}" denied access ${ctx.verb} ${subject(ctx)} (HTTP 403: ${reason}): the account of ` +
      'storage.key_file (or of the Application Default Credentials) needs to read, write, list and delete objects ' +
      'in the bucket, e.g. roles/storage.objectAdmin';
    return new KafkaBackupError('STORAGE_PERMISSION', message, details);
  }
  if (status === 404) return bucketMissing(ctx, err);
  if (status === 412 || (status === 409 && ctx.conditional === true)) {
    const message = `conditional write of ${subject(ctx)} lost: the object changed or exists (HTTP ${status})`;
    return new KafkaBackupError('STORAGE_PRECONDITION', message, details);
  }
  const retryable =
    status === undefined
      ? (code !== undefined && retryableSocketCodes.has(code)) || retryableMessages.test(reason)
      : status === 408 || status === 409 || status === 429 || status >= 500;
  const what = status === undefined ? reason : `HTTP ${status}: ${reason}`;
  return new KafkaBackupError('STORAGE_IO', `gcs error ${ctx.verb} ${subject(ctx)}: ${what}`, { ...details, retryable });
}
