// How the schema says which values are secrets. A key's schema carries `.meta(secret)`; every
// place that prints or logs configuration derives what to mask from that mark (schema-walk.ts
// finds the marked values, redact.ts masks them), so a new secret key is covered by marking it.
//
// Not secrets, on purpose: identifiers (storage access_key_id, account_name, sse_kms_key_id,
// sasl_username) and file paths (key_file, ssl_*_location): a path is printed, the file's
// content never is. Free-form maps: kafka_config is closed (only the listed client properties),
// and restore.config_overrides holds topic configs, which carry no secrets; a key there named
// like a secret (secretNamePattern) is refused by a rule (rules.ts), so no free-form value is
// ever a secret.

/** `.meta(secret)` on a key's schema: its value is masked wherever configuration is shown. */
export const secret = { secret: true } as const;

/** Names that announce a secret value: a key written so in a free-form map is refused. */
export const secretNamePattern = /passw(or)?d|passphrase|secret|token|credential|jaas|private[._-]?key|account[._-]?key|connection[._-]?string/i;
