// The schema's secret mark is the one list of secrets (src/config/secret-mark.ts). These tests keep
// it complete: a key named like a secret must carry the mark or be a known non-secret here, with
// the reason; and the secrets the issue named are marked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configSchema } from '../../src/config/schema.js';
import { schemaKeys, secretKeys } from '../../src/config/schema-walk.js';
import { secretNamePattern } from '../../src/config/secret-mark.js';

/** Key names that look like secrets and are not, with the reason. */
const notSecrets: Record<string, string> = {
  access_key_id: 'an identifier, shown in AWS logs and consoles; the secret is secret_access_key',
  sse_kms_key_id: 'the id or ARN of a KMS key, not key material',
  key_file: 'a path; the file content is read by the GCS library and never printed',
  ssl_key_location: 'a path; the key file content is never printed',
  sasl_mechanism: 'a mechanism name ("sasl" matches the pattern below)',
  sasl_username: 'a user name, not a credential on its own',
};

/** Broader than secretNamePattern: any word "key", and SAS. */
const looksSecret = (name: string): boolean => secretNamePattern.test(name) || /(^|[._-])(key|sas[a-z]*)($|[._-])/i.test(name);

test('every key named like a secret carries the secret mark, or is a known non-secret', () => {
  const unmarked = schemaKeys(configSchema)
    .filter((key) => !key.secret && looksSecret(key.path.at(-1)!) && !(key.path.at(-1)! in notSecrets))
    .map((key) => key.path.join('.'));
  assert.deepEqual(unmarked, [], 'mark these .meta(secret) in the schema, or list them in notSecrets with the reason');
  // The exemptions stay true: each names a key that exists and is not marked.
  const names = new Set(schemaKeys(configSchema).filter((key) => !key.secret).map((key) => key.path.at(-1)));
  for (const name of Object.keys(notSecrets)) assert.ok(names.has(name), `notSecrets lists ${name}, which is not an unmarked key`);
});

test('the secrets of every section are marked', () => {
  const marked = secretKeys(configSchema).map((key) => `${key.path.join('.')}${key.variant['storage.backend'] ? ` (${key.variant['storage.backend']})` : ''}`);
  assert.deepEqual(marked.sort(), [
    'source.security.sasl_password',
    'source.security.ssl_key_password',
    'storage.account_key (azure)',
    'storage.connection_string (azure)',
    'storage.sas_token (azure)',
    'storage.secret_access_key (s3)',
    'storage.session_token (s3)',
    'target.security.sasl_password',
    'target.security.ssl_key_password',
  ]);
});
