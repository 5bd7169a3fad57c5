// Exit codes, one per kind of outcome, so scripts and schedulers can tell them apart.
import type { ErrorCode } from '../errors.js';

export const EXIT = {
  ok: 0,
  /** A run failed: Kafka or storage unreachable or refusing, bad data from the cluster. */
  failure: 1,
  /** The config file or the command line is wrong. */
  usage: 2,
  /** A check found problems: validate-restore, verify, a corrupt backup. */
  problems: 3,
  /** Someone else holds the backup, or the restore target is not safe to write (or would refuse a record). */
  conflict: 4,
  /** A bug in kafka-backup. */
  internal: 70,
  /** Stopped by SIGINT/SIGTERM before finishing; rerun to resume. */
  interrupted: 130,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'CONFIG_INVALID':
    case 'USAGE':
      return EXIT.usage;
    case 'BACKUP_CORRUPT':
    case 'FORMAT_UNSUPPORTED':
    case 'VALIDATION_FAILED':
      return EXIT.problems;
    case 'BACKUP_IN_USE':
    case 'RESTORE_CONFLICT':
    case 'RESTORE_TARGET_LIMIT':
      return EXIT.conflict;
    case 'INTERRUPTED':
      return EXIT.interrupted;
    case 'INTERNAL':
      return EXIT.internal;
    default:
      return EXIT.failure;
  }
}
