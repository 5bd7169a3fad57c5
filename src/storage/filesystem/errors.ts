// errno → KafkaBackupError, so nothing above the storage seam looks at errno codes. Each message
// names what failed (the operation and the file), and the likely cause with what to do about it.

import path from 'node:path';
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

/** A directory that mkdir cannot create although its parent exists (see ensureDir in files.ts). */
export class MkdirRefused extends Error {
  readonly code: string | undefined;
  constructor(
    readonly dir: string,
    cause: unknown,
  ) {
    super(`mkdir ${dir}: ${errnoCode(cause)} although its parent exists`, { cause });
    this.name = 'MkdirRefused';
    this.code = errnoCode(cause);
  }
}

/** Transient conditions: the same call may succeed later. */
const retryableCodes = new Set(['EIO', 'EAGAIN', 'EBUSY', 'EINTR', 'EMFILE', 'ENFILE', 'ETIMEDOUT']);

/** Kernel pseudo-filesystems: files there are kernel interfaces, not storage. */
const pseudoRoots = ['/proc', '/sys'];

export function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** "/proc" when file lies under /proc (likewise /sys); undefined otherwise. */
export function pseudoFilesystemOf(file: string): string | undefined {
  const resolved = path.resolve(file);
  return pseudoRoots.find((root) => resolved === root || resolved.startsWith(`${root}/`));
}

/**
 * Classifies a failed fs call. KafkaBackupErrors pass through unchanged; everything else becomes
 * STORAGE_NOT_FOUND, STORAGE_PERMISSION or STORAGE_IO with the original error as the cause.
 */
export function mapFsError(err: unknown, context: FsErrorContext): KafkaBackupError {
  if (isKafkaBackupError(err)) return err;
  const { verb, key, location } = context;
  const file = err instanceof MkdirRefused ? err.dir : context.path;
  const writing = verb === 'writing' || verb === 'locking';
  // Reading "a/b" when "a" is a file: no such object. Writing there is a conflict (STORAGE_IO).
  const code = errnoCode(err) === 'ENOTDIR' && !writing ? 'ENOENT' : errnoCode(err);
  const details = { cause: err, path: file, location, errno: code, ...(key === undefined ? {} : { key }) };
  const pseudo = pseudoFilesystemOf(file);
  if (pseudo !== undefined && writing) {
    const message =
      `cannot write ${file}: it is under ${pseudo}, a kernel pseudo-filesystem, not a storage location (${code}); ` +
      'set storage.path to a directory on a disk';
    return new KafkaBackupError('STORAGE_IO', message, { ...details, retryable: false });
  }
  if (err instanceof MkdirRefused) {
    const message =
      `cannot create directory ${file}: the filesystem refused it (${code}) although ${path.dirname(file)} exists; ` +
      'is the path a dangling symbolic link, or on a special filesystem?';
    return new KafkaBackupError('STORAGE_IO', message, { ...details, retryable: false });
  }
  switch (code) {
    case 'ENOENT':
      if (writing) {
        // The directory was there a moment ago (ensureDir made it): someone removed it meanwhile.
        const message = `cannot write ${file}: its directory disappeared while writing (ENOENT); is something deleting files in ${location}?`;
        return new KafkaBackupError('STORAGE_IO', message, { ...details, retryable: false });
      }
      return new KafkaBackupError(
        'STORAGE_NOT_FOUND',
        key === undefined ? `${file} does not exist (${location})` : `object "${key}" not found in ${location}`,
        details,
      );
    case 'EACCES':
    case 'EPERM': {
      const who = process.getuid === undefined ? 'the user running kafka-backup' : `the user running kafka-backup (uid ${process.getuid()})`;
      const message = `permission denied ${verb} ${file} (${code}): ${who} may not do that there; check the owner and mode of ${path.dirname(file)}`;
      return new KafkaBackupError('STORAGE_PERMISSION', message, details);
    }
    case 'EROFS': {
      const message = `permission denied ${verb} ${file}: read-only file system (EROFS); mount it read-write or choose another storage.path`;
      return new KafkaBackupError('STORAGE_PERMISSION', message, details);
    }
    case 'ENOSPC':
    case 'EDQUOT': {
      const full = code === 'ENOSPC' ? 'the disk is full' : "the owner's disk quota is used up";
      const message =
        `disk full ${verb} ${file}: ${full} (${code}). Free space there and run again: ` +
        'what was stored before stays valid, and a backup continues after its last committed segment';
      return new KafkaBackupError('STORAGE_IO', message, { ...details, retryable: false });
    }
    case 'ENOTDIR': {
      const message = `cannot write ${file}: a part of its path is a file, not a directory (ENOTDIR)`;
      return new KafkaBackupError('STORAGE_IO', message, { ...details, retryable: false });
    }
    default: {
      const reason = err instanceof Error ? err.message : String(err);
      return new KafkaBackupError('STORAGE_IO', `I/O error ${verb} ${file}: ${reason}`, {
        ...details,
        retryable: code !== undefined && retryableCodes.has(code),
      });
    }
  }
}
