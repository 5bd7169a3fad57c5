import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { interpolate } from '../../src/config/env.js';
import { base, parse, problems } from './helpers.js';

describe('interpolate', () => {
  const env = { HOST: 'kafka', EMPTY: '' };

  test('replaces set variables, keeps surrounding text', () => {
    assert.deepEqual(interpolate('${HOST}:9092', env), { value: 'kafka:9092', errors: [] });
    assert.deepEqual(interpolate('${EMPTY}', env), { value: '', errors: [] });
  });

  test('uses the default when unset or empty', () => {
    assert.equal(interpolate('${PORT:-9092}', env).value, '9092');
    assert.equal(interpolate('${EMPTY:-x}', env).value, 'x');
    assert.equal(interpolate('${HOST:-x}', env).value, 'kafka');
    assert.equal(interpolate('${UNSET:-}', env).value, '');
  });

  test('$${ escapes a literal ${', () => {
    assert.deepEqual(interpolate('cost $${HOST} and $$ alone', env), { value: 'cost ${HOST} and $$ alone', errors: [] });
  });

  test('reports unset variables, bad names and unterminated references', () => {
    assert.deepEqual(interpolate('${A}-${B}', {}).errors, [
      'environment variable A is not set (write ${A:-default} to give a default)',
      'environment variable B is not set (write ${B:-default} to give a default)',
    ]);
    assert.match(interpolate('${1X}', {}).errors[0]!, /^invalid variable reference "\$\{1X\}"/);
    assert.match(interpolate('abc ${HOST', env).errors[0]!, /^unterminated "\$\{"/);
  });
});

describe('interpolation in config files', () => {
  test('a set variable, a default and an escape', () => {
    const config = parse(
      `${base}source:
  bootstrap_servers: \${BROKERS}
  client_id: "app-$\${literal}"
  security:
    security_protocol: SASL_SSL
    sasl_mechanism: PLAIN
    sasl_username: \${USER:-svc}
    sasl_password: '\${PW}'
`,
      { BROKERS: 'k1:9092,k2:9092', PW: 's3cret' },
    );
    const src = config.source!;
    assert.deepEqual(src.bootstrap_servers, ['k1:9092', 'k2:9092']);
    assert.equal(src.client_id, 'app-${literal}');
    assert.equal(src.security.sasl_username, 'svc');
    assert.equal(src.security.sasl_password, 's3cret');
  });

  test('an unset variable names the variable and the key path, without follow-on errors', () => {
    assert.deepEqual(problems(`${base}source:\n  bootstrap_servers:\n    - \${BROKER}\n`), [
      'source.bootstrap_servers[0]: environment variable BROKER is not set (write ${BROKER:-default} to give a default)',
    ]);
  });

  test('env problems are reported together with schema problems', () => {
    assert.deepEqual(problems(`${base}backup:\n  compression: \${CODEC}\n  zzz: 1\n`), [
      'backup.compression: environment variable CODEC is not set (write ${CODEC:-default} to give a default)',
      'backup.zzz: unknown key',
    ]);
  });

  test('unquoted results take integer and boolean types; quoted ones stay strings', () => {
    const text = `backup_id: b
storage:
  backend: filesystem
  path: d
  max_concurrency: \${CONC:-8}
restore:
  allow_append: \${APPEND}
  topic_mapping: { a: "\${NUM}" }
`;
    const config = parse(text, { APPEND: 'true', NUM: '42' });
    assert.equal(config.storage.max_concurrency, 8);
    assert.equal(config.restore.allow_append, true);
    assert.deepEqual(config.restore.topic_mapping, { a: '42' });
  });

  test('values only: keys are not interpolated', () => {
    assert.deepEqual(problems(`${base}restore:\n  topic_mapping: { "\${X}": y }\n`, { X: 'x' }), [
      'restore.topic_mapping["${X}"]: invalid key: "${X}" is not a valid topic name (1-249 of a-z A-Z 0-9 . _ -, not "." or "..")',
    ]);
  });
});
