// Keys refused with the reason they have no effect, instead of a bare "unknown key": the Kafka
// client properties of kafka-properties.ts, and keys other tools (or earlier versions) take that
// kafka-backup has no use for.
import { refusedKafkaProperty } from './kafka-properties.js';

/** Per storage backend: keys that would change nothing, and why. */
const refusedStorageKeys: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  gcs: {
    project_id:
      'not used: kafka-backup only reads and writes objects in an existing bucket, which needs no project id ' +
      '(the bucket belongs to its project, and the credentials name who pays); remove it',
  },
};

/**
 * Why the unknown key `key` written in the mapping at `path` is refused, or undefined when it is
 * just unknown. `written` is the user's whole config tree (it says which storage backend applies).
 */
export function refusedKeyReason(path: readonly PropertyKey[], key: string, written: unknown): string | undefined {
  if (path.length === 1 && path[0] === 'storage') {
    const backend = (written as { storage?: { backend?: unknown } } | null)?.storage?.backend;
    const keys = typeof backend === 'string' && Object.hasOwn(refusedStorageKeys, backend) ? refusedStorageKeys[backend]! : {};
    return Object.hasOwn(keys, key) ? keys[key] : undefined;
  }
  return refusedKafkaProperty(path, key);
}
