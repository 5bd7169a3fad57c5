// errno → KafkaBackupError, so nothing above the storage seam looks at errno codes.

import { KafkaBackupError, isKafkaBackupError } from '../../errors.js';

/** What the backend was doing, for messages: "permission denied writing /backups/x". */
export type FsVerb = 'reading' | 'writing' | 'listing' | 'deleting' | 'locking';

export interface FsErrorContext {
  verb: FsVerb;
  /** The file or directory the failing call touched. */
  path: string;
  /** The object key, when the call was about one object. */
  key?: string;
  /** The backend's location (file://...). */
  location: string;
}

/** Transient conditions: the same call may succeed later. */
const retryableCodes = new Set(['EIO', 'EAGAIN', 'EBUSY', 'EINTR', 'EMFILE', 'ENFILE', 'ETIMEDOUT']);

export function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Classifies a failed fs call. KafkaBackupErrors pass through unchanged; everything else becomes
 * STORAGE_NOT_FOUND, STORAGE_PERMISSION or STORAGE_IO with the original error as the cause.
 */
export function mapFsError(err: unknown, context: FsErrorContext): KafkaBackupError {
  if (isKafkaBackupError(err)) return err;
  const { verb, path, key, location } = context;
  // Reading "a/b" when "a" is a file: no such object. Writing there is a conflict (STORAGE_IO).
  const code = errnoCode(err) === 'ENOTDIR' && verb !== 'writing' ? 'ENOENT' : errnoCode(err);
  const details = { cause: err, path, location, errno: code, ...(key === undefined ? {} : { key }) };
  switch (code) {
    case 'ENOENT':
      return new KafkaBackupError(
        'STORAGE_NOT_FOUND',
        key === undefined ? `${path} does not exist (${location})` : `object "${key}" not found in ${location}`,
        details,
      );
    case 'EACCES':
    case 'EPERM':
      return new KafkaBackupError('STORAGE_PERMISSION', `permission denied ${verb} ${path}`, details);
    case 'EROFS': {
      const message = `permission denied ${verb} ${path}: read-only file system`;
      return new KafkaBackupError('STORAGE_PERMISSION', message, details);
    }
    case 'ENOSPC':
    case 'EDQUOT':
      return new KafkaBackupError('STORAGE_IO', `disk full ${verb} ${path}`, { ...details, retryable: false });
    default: {
      const reason = err instanceof Error ? err.message : String(err);
      return new KafkaBackupError('STORAGE_IO', `I/O error ${verb} ${path}: ${reason}`, {
        ...details,
        retryable: code !== undefined && retryableCodes.has(code),
      });
    }
  }
}
