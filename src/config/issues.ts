// Turning zod issues into the "<dot.path>: message" problems a user reads. The error map gives
// plain messages ("required", "expected an integer, got "ten""); unknown keys get one problem each
// with a suggestion of the closest known key, or, for a key kafka-backup refuses (a Kafka client
// property it does not take, a key with no use), the reason (refused-keys.ts).

import type { z } from 'zod';
import { refusedKeyReason } from './refused-keys.js';
import { listsKeysOnUnknown, objectAt, secretValues } from './schema-walk.js';

/** `backup.segment_max_bytes`, `source.bootstrap_servers[1]`, `source.kafka_config["acks.x"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(String(key))) out += out === '' ? String(key) : `.${String(key)}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out === '' ? '(root)' : out;
}

/** Stands for a secret value in a message: its kind is told, never the value. */
class SecretInput {
  constructor(readonly value: unknown) {}
}

export function describeValue(value: unknown): string {
  if (value instanceof SecretInput) return `${kindOf(value.value)} (not shown: the key holds a secret)`;
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

function kindOf(value: unknown): string {
  if (value === null || Array.isArray(value) || typeof value === 'object') return describeValue(value);
  return typeof value === 'bigint' ? typeNames.number! : (typeNames[typeof value] ?? typeof value);
}

const typeNames: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

function limit(origin: string, bound: string, n: number | bigint, inclusive: boolean | undefined): string {
  if (origin === 'array') return `must have ${bound === 'min' ? 'at least' : 'at most'} ${n} entries`;
  if (origin === 'string') {
    if (bound === 'min' && Number(n) === 1) return 'must not be empty';
    return `must be ${bound === 'min' ? 'at least' : 'at most'} ${n} characters long`;
  }
  if (inclusive === false) return `must be ${bound === 'min' ? 'greater' : 'less'} than ${n}`;
  return `must be ${bound === 'min' ? 'at least' : 'at most'} ${n}`;
}

/** Passed to safeParse: messages for issues whose schema does not set its own. */
export const errorMap: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return 'required';
      return `expected ${typeNames[iss.expected] ?? iss.expected}, got ${describeValue(iss.input)}`;
    case 'too_small':
      return limit(iss.origin, 'min', iss.minimum, iss.inclusive);
    case 'too_big':
      return limit(iss.origin, 'max', iss.maximum, iss.inclusive);
    case 'invalid_value':
      return `expected ${iss.values.map((v) => JSON.stringify(v)).join(' | ')}, got ${describeValue(iss.input)}`;
    case 'invalid_union':
      return 'does not match any accepted form';
    default:
      return undefined;
  }
};

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The known key closest to a misspelt one, if any is close enough to be a plausible typo. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function unknownKeyMessage(key: string, known: readonly string[], listAll: boolean): string {
  const suggestion = closestKey(key, known);
  const hint = suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
  return listAll ? `unknown property${hint}; supported: ${known.join(', ')}` : `unknown key${hint}`;
}

/** One problem line per issue (per key for unknown keys). */
export function issueProblems(issue: z.core.$ZodIssue, root: z.ZodType, data: unknown): string[] {
  if (issue.code === 'unrecognized_keys') {
    const object = objectAt(root, issue.path, data);
    const known = object ? Object.keys(object.shape) : [];
    const listAll = object !== undefined && listsKeysOnUnknown(object);
    return issue.keys.map(
      (key) => `${formatPath([...issue.path, key])}: ${refusedKeyReason(issue.path, key, data) ?? unknownKeyMessage(key, known, listAll)}`,
    );
  }
  if (issue.code === 'invalid_key') {
    return [`${formatPath(issue.path)}: invalid key: ${issue.issues[0]?.message ?? issue.message}`];
  }
  if (isSecretPath(root, issue.path, data)) {
    // The message is made again without the value; a schema's own message may quote it.
    const value = issue.path.reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown> | undefined)?.[key], data);
    const hidden = errorMap({ ...issue, input: new SecretInput(value) } as never);
    const message = typeof hidden === 'string' ? hidden : 'invalid (the value is not shown: the key holds a secret)';
    return [`${formatPath(issue.path)}: ${message}`];
  }
  return [`${formatPath(issue.path)}: ${issue.message}`];
}

function isSecretPath(root: z.ZodType, path: readonly PropertyKey[], data: unknown): boolean {
  const at = path.map(String).join('\0');
  return secretValues(root, data).some((found) => {
    const secret = found.path.map(String).join('\0');
    return at === secret || at.startsWith(secret + '\0');
  });
}
