import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactConfig } from '../../src/config/redact.js';
import { base, parse } from './helpers.js';

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
