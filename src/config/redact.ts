// Secrets out of logs: a copy of the config with every secret value replaced by "***".

import type { Config } from './types.js';

/** Keys whose values are secrets, wherever they appear. */
export const secretKeys: ReadonlySet<string> = new Set(['sasl_password', 'ssl_key_password']);

export const redacted = '***';

function redactValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactValue);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      secretKeys.has(key) && inner !== undefined ? redacted : redactValue(inner),
    ]),
  );
}

/** A deep copy of `config` safe to log; the input is not modified. */
export function redactConfig(config: Config): Config {
  return redactValue(config) as Config;
}
