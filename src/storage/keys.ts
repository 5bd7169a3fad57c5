// Object key rules shared by every backend, so a backup written to one backend can be copied to any
// other unchanged. A key is a '/'-separated relative path; every segment is non-empty, is not '.' or
// '..', and contains no backslash or NUL. Breaking these rules is a bug in the caller (keys are built
// by our own code, never typed by users), hence INTERNAL rather than a storage error.

import { KafkaBackupError } from '../errors.js';

function segmentProblem(segment: string): string | undefined {
  if (segment === '') return 'has an empty segment';
  if (segment === '.' || segment === '..') return `has a '${segment}' segment`;
  return undefined;
}

function characterProblem(text: string): string | undefined {
  if (text.includes('\\')) return 'contains a backslash';
  if (text.includes('\0')) return 'contains a NUL character';
  return undefined;
}

function invalid(what: string, value: string, problem: string): KafkaBackupError {
  return new KafkaBackupError('INTERNAL', `invalid storage ${what} ${JSON.stringify(value)}: ${problem}`, {
    [what]: value,
  });
}

/** Throws INTERNAL unless key is a valid object key. */
export function validateKey(key: string): void {
  if (key === '') throw invalid('key', key, 'is empty');
  if (key.startsWith('/')) throw invalid('key', key, 'is absolute');
  const chars = characterProblem(key);
  if (chars !== undefined) throw invalid('key', key, chars);
  for (const segment of key.split('/')) {
    const problem = segmentProblem(segment);
    if (problem !== undefined) throw invalid('key', key, problem);
  }
}

/**
 * Throws INTERNAL unless prefix is a valid list prefix: '' (everything), or a key's leading part.
 * The last segment may be partial or empty ("topics/or" and "topics/" are both valid).
 */
export function validatePrefix(prefix: string): void {
  if (prefix === '') return;
  if (prefix.startsWith('/')) throw invalid('prefix', prefix, 'is absolute');
  const chars = characterProblem(prefix);
  if (chars !== undefined) throw invalid('prefix', prefix, chars);
  const segments = prefix.split('/');
  segments.pop();
  for (const segment of segments) {
    const problem = segmentProblem(segment);
    if (problem !== undefined) throw invalid('prefix', prefix, problem);
  }
}

/**
 * The order list() yields keys in: by UTF-8 bytes, which is the order S3, GCS and Azure list in.
 * (JavaScript's `<` compares UTF-16 code units, which differs for characters above U+FFFF.)
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
