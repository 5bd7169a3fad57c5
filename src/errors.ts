// The closed vocabulary of failures. Every error the CLI can show is a KafkaBackupError with a code;
// src/cli/main.ts is the one place that turns them into messages and exit codes.

export const errorCodes = [
  'CONFIG_INVALID', // the config file is unreadable, malformed, or fails validation
  'USAGE', // command-line arguments are wrong
  'KAFKA_UNREACHABLE', // no broker answered
  'KAFKA_AUTH', // authentication or authorization failed
  'KAFKA_PROTOCOL', // the broker answered with an error we cannot recover from
  'KAFKA_TOPIC_MISSING', // a selected or required topic does not exist
  'STORAGE_NOT_FOUND', // an object or the storage location does not exist
  'STORAGE_PRECONDITION', // a conditional write lost: someone else wrote the object
  'STORAGE_PERMISSION', // the storage refused access
  'STORAGE_IO', // any other storage failure
  'BACKUP_NOT_FOUND', // no backup with that id at the storage location
  'BACKUP_IN_USE', // another live process owns the backup id
  'BACKUP_CORRUPT', // a segment, index or manifest fails its checksum or structure checks
  'FORMAT_UNSUPPORTED', // written by a newer format version, or an unknown codec
  'RECORD_FORMAT', // Kafka data we cannot handle (message format v0/v1, malformed batch)
  'RESTORE_CONFLICT', // the target is not in a state the restore may write to
  'RESTORE_TARGET_LIMIT', // the target topic would refuse a record: larger than max.message.bytes, keyless for compaction
  'VALIDATION_FAILED', // validate-restore found problems
  'INTERRUPTED', // stopped by a signal before finishing
  'INTERNAL', // a bug
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface ErrorDetails {
  cause?: unknown;
  /** Whether retrying the same operation may succeed (transient network, throttling, 5xx). */
  retryable?: boolean;
  /** Extra facts for logs and --json output: topic, partition, key, path... */
  [key: string]: unknown;
}

export class KafkaBackupError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    const { cause, retryable, ...rest } = details;
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'KafkaBackupError';
    this.code = code;
    this.retryable = retryable ?? false;
    this.details = rest;
  }
}

/** Config problems are reported all at once: one line per problem, each naming the key's path. */
export class ConfigError extends KafkaBackupError {
  readonly problems: string[];
  constructor(file: string, problems: string[]) {
    super('CONFIG_INVALID', `invalid config ${file}:\n  - ${problems.join('\n  - ')}`, { file });
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function isKafkaBackupError(err: unknown, code?: ErrorCode): err is KafkaBackupError {
  return err instanceof KafkaBackupError && (code === undefined || err.code === code);
}

/** A short description of any thrown value, with its cause chain, for messages. */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 5; depth++) {
    if (cur instanceof Error) {
      // A wrapper usually repeats its cause's message; say each thing once.
      if (!parts.some((p) => p.includes(cur instanceof Error ? cur.message : ''))) parts.push(cur.message);
      cur = (cur as { cause?: unknown }).cause;
    } else {
      parts.push(String(cur));
      break;
    }
  }
  return parts.join(': caused by: ');
}
