// Shared read/write of the JSON objects of a backup (manifests, descriptor, restore states): one
// place for the conventions docs/format.md sets for them. Serialization is deterministic: the zod
// schema's key order, 2-space indent, trailing newline, so equal content means equal bytes.

import type { z } from 'zod';
import { KafkaBackupError, isKafkaBackupError } from '../errors.js';
import type { StorageBackend } from '../storage/backend.js';
import { FORMAT_VERSION } from './constants.js';

export interface WriteJsonOptions {
  /** Replace only this version of the object (conditional put). */
  etag?: string;
  /** Create only: fail with STORAGE_PRECONDITION when the object exists. */
  create?: boolean;
}

export interface Versioned<T> {
  value: T;
  etag: string;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/** Parse JSON text against a schema; BACKUP_CORRUPT / FORMAT_UNSUPPORTED name `key`. */
export function parseJsonObject<S extends z.ZodType>(key: string, what: string, text: string, schema: S): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new KafkaBackupError('BACKUP_CORRUPT', `${what} ${key} is not valid JSON`, { key, cause: err });
  }
  // A newer version may change any field, so the version check comes before the schema.
  const version = (raw as { format_version?: unknown } | null)?.format_version;
  if (typeof version === 'number' && version > FORMAT_VERSION) {
    throw new KafkaBackupError(
      'FORMAT_UNSUPPORTED',
      `${what} ${key} has format version ${version}; this kafka-backup reads up to ${FORMAT_VERSION}`,
      { key },
    );
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new KafkaBackupError('BACKUP_CORRUPT', `${what} ${key} is invalid: ${describeIssues(parsed.error)}`, { key });
  }
  return parsed.data;
}

/** The object and the etag of the version read, or undefined when it does not exist. */
export async function readJsonObject<S extends z.ZodType>(
  storage: StorageBackend,
  key: string,
  what: string,
  schema: S,
): Promise<Versioned<z.output<S>> | undefined> {
  // head before get: if a writer slips in between, we hold an older etag than the content, so our
  // next conditional write fails (safe). The other order could hide a foreign write.
  const info = await storage.head(key);
  if (!info) return undefined;
  let data: Buffer;
  try {
    data = await storage.get(key);
  } catch (err) {
    if (isKafkaBackupError(err, 'STORAGE_NOT_FOUND')) return undefined;
    throw err;
  }
  return { value: parseJsonObject(key, what, data.toString('utf8'), schema), etag: info.etag };
}

/** Deterministic JSON of a value that must satisfy `schema` (INTERNAL otherwise: our bug). */
export function toJsonText<S extends z.ZodType>(what: string, value: z.input<S>, schema: S): string {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new KafkaBackupError('INTERNAL', `refusing to write an invalid ${what}: ${describeIssues(parsed.error)}`);
  }
  return `${JSON.stringify(parsed.data, null, 2)}\n`;
}

/** Whole-object put, conditional per `options`; returns the new etag. */
export async function writeJsonObject<S extends z.ZodType>(
  storage: StorageBackend,
  key: string,
  what: string,
  value: z.input<S>,
  schema: S,
  options: WriteJsonOptions = {},
): Promise<string> {
  const data = Buffer.from(toJsonText(what, value, schema), 'utf8');
  const putOptions = {
    ...(options.etag !== undefined ? { ifMatch: options.etag } : {}),
    ...(options.create ? { ifNoneMatch: true } : {}),
  };
  try {
    return (await storage.put(key, data, putOptions)).etag;
  } catch (err) {
    // A conditional put whose response was lost is retried by the storage layer, and the retry
    // meets our own write: the condition fails although we won. The content says which it was.
    if (!isKafkaBackupError(err, 'STORAGE_PRECONDITION')) throw err;
    const current = await storage.head(key);
    if (current && current.size === data.length && (await storage.get(key)).equals(data)) return current.etag;
    throw err;
  }
}
