// Secrets out of every output, derived from the schema's secret mark (secret-mark.ts), in layers:
//   - redactConfig: a copy of a config with every marked value replaced by "***" (config-check,
//     the "config loaded" log line);
//   - maskSecretKeys: the same by key name, for any object logged (log.ts);
//   - scrubSecrets: every text the process prints has the values of the secret keys of the
//     configs it read replaced by "***" (log.ts applies it to stdout, stderr and log lines), which
//     catches a secret quoted by a library: a connection string in an SDK message, a SAS token in
//     a signed URL, a password in a validation message.
// checkConfig (load.ts) remembers the secret values of every file it reads, valid or not.

import { configSchema } from './schema.js';
import { secretKeys, secretValues } from './schema-walk.js';

export const redacted = '***';

/** A deep copy of `config` safe to print; the input is not modified. */
export function redactConfig<T>(config: T): T {
  const copy = structuredClone(config);
  for (const { path } of secretValues(configSchema, config)) {
    const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown>)[key], copy);
    (parent as Record<PropertyKey, unknown>)[path.at(-1)!] = redacted;
  }
  return copy;
}

const camelCase = (name: string): string => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Names of the secret keys (the last element of each marked path), as written and in camelCase as SDK options name them. */
export const secretKeyNames: ReadonlySet<string> = new Set(
  secretKeys(configSchema).flatMap(({ path }) => [path.at(-1)!, camelCase(path.at(-1)!)]),
);

function isSecretName(key: string): boolean {
  return secretKeyNames.has(key) || /password$/i.test(key);
}

/**
 * A copy of a logged object with the values of secret-named keys (and any key ending in
 * "password") masked, at any depth. Errors are left to the log's serializer and scrubSecrets.
 */
export function maskSecretKeys<T>(value: T, depth = 0, seen = new WeakSet<object>()): T {
  if (value === null || typeof value !== 'object' || value instanceof Error || depth > 10 || seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item: unknown) => maskSecretKeys(item, depth + 1, seen)) as T;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      isSecretName(key) && inner !== undefined && inner !== null ? redacted : maskSecretKeys(inner, depth + 1, seen),
    ]),
  ) as T;
}

/**
 * Shorter values are masked where they sit (redactConfig, maskSecretKeys) but not searched for in
 * free text: a short password would mask ordinary words everywhere.
 */
export const minScrubbedLength = 6;

/** Known secret texts, longest first (a whole connection string before the key inside it). */
let scrubbed: string[] = [];

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The forms a secret may take in printed text: as written, URL-encoded or decoded, JSON-escaped;
 * and the secret parts of an Azure connection string (AccountKey, SharedAccessSignature) or of a
 * SAS token (its `sig` signature), which an SDK may print alone, e.g. in a request URL.
 */
function formsOf(secret: string): string[] {
  const parts = [secret];
  for (const m of secret.matchAll(/(?:^|;)\s*(?:AccountKey|SharedAccessSignature)\s*=\s*([^;]+)/gi)) parts.push(m[1]!.trim());
  for (const m of secret.matchAll(/(?:^|[?&;])sig=([^&;]+)/gi)) parts.push(m[1]!);
  return parts.flatMap((p) => [p, encodeURIComponent(p), decoded(p), JSON.stringify(p).slice(1, -1)]);
}

/** Remember a secret value (a string, or a scalar written where a string was due) so that scrubSecrets masks it. */
export function rememberSecret(value: unknown): void {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') return;
  const fresh = formsOf(String(value)).filter((form) => form.length >= minScrubbedLength && !scrubbed.includes(form));
  if (fresh.length > 0) scrubbed = [...scrubbed, ...new Set(fresh)].sort((a, b) => b.length - a.length);
}

/** Remember every secret value in a config tree (written or parsed, valid or not). */
export function rememberSecrets(config: unknown): void {
  for (const { value } of secretValues(configSchema, config)) rememberSecret(value);
}

const alphanumeric = /[\p{L}\p{N}]/u;

/**
 * `text` with every remembered secret replaced by "***", where it stands on its own: not where
 * a letter or digit adjoins it, so a secret "100000" does not turn the number 1000000 of a
 * --json document into "1***0" (a secret inside a longer word is not that secret printed).
 */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const secret of scrubbed) {
    let from = 0;
    for (let at = out.indexOf(secret, from); at >= 0; at = out.indexOf(secret, from)) {
      const end = at + secret.length;
      if (alphanumeric.test(out[at - 1] ?? '') || alphanumeric.test(out[end] ?? '')) {
        from = at + 1;
        continue;
      }
      out = out.slice(0, at) + redacted + out.slice(end);
      from = at + redacted.length;
    }
  }
  return out;
}
