// Azure SDK errors → KafkaBackupError, so nothing above the storage seam looks at RestErrors.
//
// A RestError carries the HTTP status and the service's error code. For HEAD requests (head(),
// getProperties) the response has no body, so the code is only in details.errorCode (from the
// x-ms-error-code header); azureErrorCode() reads both. Network failures reach us as RestErrors
// with code REQUEST_SEND_ERROR or as plain errors with an errno code (a body stream cut mid-way).

import { KafkaBackupError, isKafkaBackupError } from '../../errors.js';

export type AzureVerb = 'reading' | 'writing' | 'listing' | 'deleting';

export interface AzureErrorContext {
  verb: AzureVerb;
  /** The object key, when the call was about one object. */
  key?: string;
  /** azure://account/container/prefix */
  location: string;
  account: string;
  container: string;
}

const retryableStatuses = new Set([408, 429, 500, 502, 503, 504]);
const retryableServiceCodes = new Set(['ServerBusy', 'OperationTimedOut', 'InternalError']);
const retryableNetworkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'REQUEST_SEND_ERROR',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
const retryableMessage = /socket hang up|ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|aborted|premature close|other side closed|timed? ?out/i;
/** @azure/identity's failures: no credential found, or the token request was refused. */
const credentialErrorNames = new Set(['CredentialUnavailableError', 'AuthenticationError', 'AggregateAuthenticationError']);

export function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The service's error code ("BlobNotFound", "ContainerNotFound", "ConditionNotMet"...), or an errno code. */
export function azureErrorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; details?: { errorCode?: unknown } } | null | undefined;
  if (typeof e?.code === 'string') return e.code;
  const fromHeader = e?.details?.errorCode;
  return typeof fromHeader === 'string' ? fromHeader : undefined;
}

/** True for a missing blob, false for a missing container (also a 404, but never "just absent"). */
export function isBlobNotFound(err: unknown): boolean {
  return statusOf(err) === 404 && azureErrorCode(err) !== 'ContainerNotFound';
}

/** A lost conditional write: 412 ConditionNotMet, or 409 BlobAlreadyExists for ifNoneMatch '*'. */
export function isConditionFailure(err: unknown): boolean {
  const status = statusOf(err);
  return status === 412 || (status === 409 && azureErrorCode(err) === 'BlobAlreadyExists');
}

function isRetryable(err: unknown, status: number | undefined, code: string | undefined): boolean {
  if (status !== undefined && retryableStatuses.has(status)) return true;
  if (code !== undefined && (retryableServiceCodes.has(code) || retryableNetworkCodes.has(code))) return true;
  if (status !== undefined) return false; // the service answered: its answer will not change
  const causeCode = azureErrorCode((err as { cause?: unknown } | null)?.cause);
  if (causeCode !== undefined && retryableNetworkCodes.has(causeCode)) return true;
  return (err instanceof Error && err.name === 'AbortError') || (err instanceof Error && retryableMessage.test(err.message));
}

function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  // Service messages end with "\nRequestId:...\nTime:...": keep the first line.
  return message.split('\n')[0] || (err instanceof Error ? err.name : 'unknown error');
}

/**
 * Classifies a failed SDK call. KafkaBackupErrors pass through unchanged; everything else becomes
 * STORAGE_NOT_FOUND, STORAGE_PRECONDITION, STORAGE_PERMISSION or STORAGE_IO, with the cause attached.
 */
export function mapAzureError(err: unknown, context: AzureErrorContext): KafkaBackupError {
  if (isKafkaBackupError(err)) return err;
  const { verb, key, location, account, container } = context;
  const status = statusOf(err);
  const code = azureErrorCode(err);
  const details = { cause: err, location, container, ...(key === undefined ? {} : { key }), status, azure_code: code };
  const what = key === undefined ? `${verb} ${location}` : `${verb} "${key}" in ${location}`;
  const where = `container "${container}" of account "${account}"`;

  if (err instanceof Error && credentialErrorNames.has(err.name)) {
    const hint =
      'no Azure credentials could be used (DefaultAzureCredential): set account_key, sas_token or connection_string, ' +
      'or provide an identity (AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, workload or managed identity, az login)';
    return new KafkaBackupError('STORAGE_PERMISSION', `Azure Blob: ${what} failed: ${hint}: ${reasonOf(err)}`, details);
  }
  if (status === 404 && code === 'ContainerNotFound') {
    const message = `Azure Blob: ${what} failed: the ${where} does not exist (create it first, or check container and account_name/endpoint)`;
    return new KafkaBackupError('STORAGE_NOT_FOUND', message, details);
  }
  if (status === 404) {
    const message = key === undefined ? `Azure Blob: ${what} failed: not found (${code ?? '404'})` : `object "${key}" not found in ${location}`;
    return new KafkaBackupError('STORAGE_NOT_FOUND', message, details);
  }
  if (isConditionFailure(err)) {
    const why = code === 'BlobAlreadyExists' ? 'it already exists' : 'its etag no longer matches';
    return new KafkaBackupError('STORAGE_PRECONDITION', `conditional write of "${key ?? '?'}" in ${location} lost: ${why}`, details);
  }
  if (status === 401 || status === 403) {
    const hint =
      code === 'AuthorizationPermissionMismatch' || code === 'AuthorizationResourceTypeMismatch'
        ? 'the credentials are valid but lack permission: a SAS needs read, add, create, write, delete and list; an Azure AD identity needs the "Storage Blob Data Contributor" role on the container'
        : 'check account_name and account_key, sas_token (expired? wrong container?) or connection_string; or a firewall rule of the account blocks this client';
    const message = `Azure Blob refused ${what} (${status} ${code ?? ''}) on the ${where}: ${hint}`;
    return new KafkaBackupError('STORAGE_PERMISSION', message, details);
  }
  if (code === 'ENOTFOUND') {
    const message = `Azure Blob: ${what} failed: the host of the endpoint does not resolve (check account_name or endpoint): ${reasonOf(err)}`;
    return new KafkaBackupError('STORAGE_IO', message, { ...details, retryable: false });
  }
  const retryable = isRetryable(err, status, code);
  const answer = status === undefined ? '' : ` (${status}${code === undefined ? '' : ` ${code}`})`;
  return new KafkaBackupError('STORAGE_IO', `Azure Blob: ${what} failed${answer}: ${reasonOf(err)}`, { ...details, retryable });
}
