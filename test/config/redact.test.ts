import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { maskSecretKeys, minScrubbedLength, redactConfig, redacted, scrubSecrets } from '../../src/config/redact.js';
import { configSchema } from '../../src/config/schema.js';
import { secretKeys } from '../../src/config/schema-walk.js';
import { base, parse, problems } from './helpers.js';

test('redactConfig replaces every secret and leaves the input untouched', () => {
  const security = `    security_protocol: SASL_SSL
    sasl_mechanism: PLAIN
    sasl_username: user
    sasl_password: \${PW}
    ssl_certificate_location: c.pem
    ssl_key_location: k.pem
    ssl_key_password: keypass
`;
  const config = parse(
    `${base}source:\n  bootstrap_servers: k:1\n  security:\n${security}target:\n  bootstrap_servers: t:1\n  security:\n${security}`,
    { PW: 'hunter2' },
  );
  const safe = redactConfig(config);
  for (const section of [safe.source!, safe.target!]) {
    assert.equal(section.security.sasl_password, '***');
    assert.equal(section.security.ssl_key_password, '***');
    assert.equal(section.security.sasl_username, 'user');
    assert.equal(section.security.ssl_key_location, '/srv/kb/k.pem');
  }
  assert.ok(!JSON.stringify(safe).includes('hunter2'));
  assert.ok(!JSON.stringify(safe).includes('keypass'));
  assert.equal(config.source!.security.sasl_password, 'hunter2');
  assert.deepEqual({ ...safe, source: undefined, target: undefined }, { ...config, source: undefined, target: undefined });
});

test('redactConfig adds nothing where no secret is set', () => {
  const config = parse(`${base}source:\n  bootstrap_servers: k:1\n`);
  assert.deepEqual(redactConfig(config), config);
  assert.equal('sasl_password' in redactConfig(config).source!.security, false);
});

/** A config holding `marker(path)` in every secret key the schema marks, one per storage backend that has them. */
function configsWithEverySecret(marker: (path: string[]) => string): string[] {
  const keys = secretKeys(configSchema);
  const backends = [...new Set(keys.map((k) => k.variant['storage.backend']).filter((b): b is string => b !== undefined))];
  const kafka = (section: string) => {
    const security: Record<string, unknown> = {
      security_protocol: 'SASL_SSL',
      sasl_mechanism: 'PLAIN',
      sasl_username: 'user',
      ssl_certificate_location: 'c.pem',
      ssl_key_location: 'k.pem',
    };
    for (const k of keys.filter((k) => k.path[0] === section)) security[k.path.at(-1)!] = marker(k.path);
    return { bootstrap_servers: 'k:1', security };
  };
  return backends.map((backend) => {
    const storage: Record<string, unknown> = { backend, bucket: 'bkt', container: 'ctr' };
    if (backend === 's3') delete storage.container;
    if (backend === 'azure') delete storage.bucket;
    for (const k of keys.filter((k) => k.variant['storage.backend'] === backend)) storage[k.path.at(-1)!] = marker(k.path);
    return JSON.stringify({ backup_id: 'b', storage, source: kafka('source'), target: kafka('target') });
  });
}

test('redactConfig masks every key the schema marks secret, in every section and backend', () => {
  const markers: string[] = [];
  const marker = (path: string[]) => {
    markers.push(`MARKER-${path.join('-')}-${markers.length}`);
    return markers.at(-1)!;
  };
  const texts = configsWithEverySecret(marker);
  assert.equal(texts.length, 2, 's3 and azure hold secrets');
  for (const text of texts) {
    const config = parse(text);
    const safe = JSON.stringify(redactConfig(config));
    for (const m of markers) assert.ok(!safe.includes(m), `${m} in ${safe}`);
    const inConfig = secretKeys(configSchema).filter((k) => [undefined, config.storage.backend as string].includes(k.variant['storage.backend']));
    for (const { path } of inConfig) {
      const value = path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], redactConfig(config));
      assert.equal(value, redacted, path.join('.'));
    }
  }
});

describe('scrubSecrets', () => {
  const connection = 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=c2VjcmV0LWFjY291bnQta2V5Kw==;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;';
  const sas = 'sv=2023-01-03&sp=rwdl&se=2030-01-01T00%3A00%3A00Z&sig=U2lnbmF0dXJlKy8%3D';
  const written = (storage: string) => `backup_id: b\nstorage: { backend: azure, container: ctr, ${storage} }\n`;

  test('masks the secret values of every config read, in the forms libraries print them', () => {
    parse(written(`connection_string: "${connection}"`));
    parse(written(`endpoint: "http://127.0.0.1:1/a", sas_token: "${sas}"`));
    // A value read from the environment is what the scrubber learns.
    parse('backup_id: b\nstorage: { backend: s3, bucket: bkt, access_key_id: AKIA, secret_access_key: "${S3_SECRET}" }\n', { S3_SECRET: 'env/secret+value"quoted' });
    const cases = [
      connection,
      'c2VjcmV0LWFjY291bnQta2V5Kw==', // the AccountKey alone
      encodeURIComponent('c2VjcmV0LWFjY291bnQta2V5Kw=='),
      `https://devstoreaccount1.blob.core.windows.net/ctr/x?${sas}`, // a signed URL
      'U2lnbmF0dXJlKy8=', // the SAS signature, decoded
      'env/secret+value"quoted',
      JSON.stringify({ message: 'env/secret+value"quoted' }), // as a JSON log line escapes it
    ];
    for (const text of cases) {
      const scrubbed = scrubSecrets(`before ${text} after`);
      assert.ok(scrubbed.includes(redacted) && scrubbed.startsWith('before ') && scrubbed.endsWith(' after'), scrubbed);
      for (const secret of ['c2VjcmV0LWFjY291bnQta2V5Kw', 'U2lnbmF0dXJlKy8', 'env/secret+value', 'secret+value\\"quoted']) {
        assert.ok(!scrubbed.includes(secret), `${secret} left in ${scrubbed}`);
      }
    }
    assert.equal(scrubSecrets('AccountName=devstoreaccount1'), 'AccountName=devstoreaccount1', 'the account name is not a secret');
  });

  test('a secret is masked where it stands on its own, not inside a longer word or number', () => {
    parse(`${base}source:\n  bootstrap_servers: k:1\n  security: { security_protocol: SASL_PLAINTEXT, sasl_mechanism: PLAIN, sasl_username: u, sasl_password: "100000" }\n`);
    assert.equal(scrubSecrets('{"stored_bytes":1000000,"records":100000}'), '{"stored_bytes":1000000,"records":***}');
    assert.equal(scrubSecrets('password 100000, offsets 2100000..3100000'), 'password ***, offsets 2100000..3100000');
  });

  test(`values shorter than ${minScrubbedLength} characters are masked where they sit, not searched for in text`, () => {
    const config = parse(`${base}source:\n  bootstrap_servers: k:1\n  security: { security_protocol: SASL_PLAINTEXT, sasl_mechanism: PLAIN, sasl_username: u, sasl_password: abc }\n`);
    assert.equal(redactConfig(config).source!.security.sasl_password, redacted);
    assert.equal(scrubSecrets('abc is a word'), 'abc is a word');
  });
});

describe('messages about a secret key never quote its value', () => {
  test('a wrong type names the kind of value only', () => {
    const found = problems(`${base}source:\n  bootstrap_servers: k:1\n  security: { sasl_password: 987654321, ssl_key_password: [hunter2-in-a-list] }\n`);
    assert.ok(found.includes('source.security.sasl_password: expected a string, got a number (not shown: the key holds a secret)'), found.join('\n'));
    assert.ok(found.includes('source.security.ssl_key_password: expected a string, got a list (not shown: the key holds a secret)'), found.join('\n'));
    assert.ok(!found.join('\n').includes('987654321') && !found.join('\n').includes('hunter2'), found.join('\n'));
  });

  test('an empty secret is "must not be empty", without the value', () => {
    const found = problems('backup_id: b\nstorage: { backend: azure, container: ctr, connection_string: "" }\n');
    assert.deepEqual(found, ['storage.connection_string: must not be empty']);
  });

  test('credentials in an endpoint URL or a broker address are refused without being quoted', () => {
    const endpoint = problems('backup_id: b\nstorage: { backend: s3, bucket: bkt, endpoint: "http://user:pa55word-in-url@minio:9000" }\n');
    assert.deepEqual(endpoint, ['storage.endpoint: holds credentials or a query, which the endpoint URL must not (it is printed in messages): give them in access_key_id / secret_access_key']);
    const sasInUrl = problems('backup_id: b\nstorage: { backend: azure, container: ctr, endpoint: "https://a.blob.core.windows.net/?sv=1&sig=c2lnbmF0dXJl" }\n');
    assert.match(sasInUrl.join('\n'), /^storage\.endpoint: .*give them in account_key, sas_token or connection_string$/);
    assert.ok(!sasInUrl.join('\n').includes('c2lnbmF0dXJl'));
    const broker = problems(`${base}source:\n  bootstrap_servers: "alice:pa55word-in-broker@k:9092"\n`);
    assert.equal(broker.length, 1);
    assert.match(broker[0]!, /^source\.bootstrap_servers\[0\]: "…@k:9092": a broker address is "host:port" without credentials/);
  });

  test('restore.config_overrides refuses a key named like a secret, without its value', () => {
    const found = problems(`${base}restore:\n  config_overrides: { "ssl.key.password": s3cr3t-value, "sasl.jaas.config": x, retention.ms: 1000, "confluent.key.schema.validation": "true" }\n`);
    assert.deepEqual(found, [
      'restore.config_overrides["ssl.key.password"]: is named like a secret, and topic configs carry none (client credentials go in source/target security)',
      'restore.config_overrides["sasl.jaas.config"]: is named like a secret, and topic configs carry none (client credentials go in source/target security)',
    ]);
  });
});

test('maskSecretKeys masks secret-named keys at any depth, in snake_case and camelCase', () => {
  const logged = { config: { storage: { secret_access_key: 'a', nested: [{ sasToken: 'b', connectionString: 'c' }] } }, sasl: { password: 'd' }, keyPassword: 'e', user: 'alice' };
  assert.deepEqual(maskSecretKeys(logged), {
    config: { storage: { secret_access_key: redacted, nested: [{ sasToken: redacted, connectionString: redacted }] } },
    sasl: { password: redacted },
    keyPassword: redacted,
    user: 'alice',
  });
  assert.equal(logged.config.storage.secret_access_key, 'a', 'the input is not modified');
});
