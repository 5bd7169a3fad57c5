// What a user sees when security is set up wrong, against the test broker's real secured listeners
// (test/run.sh: kafka.sh --sasl --tls): the exit code, the error code and a message that names the
// likely cause, and never a secret. Plus: a verbose JSON-logged backup over SASL_SSL prints no
// password anywhere. Connection failures use retries: 0 (each retry only repeats the same refusal).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli, writeConfig, type CliResult } from './helpers/cli.js';
import { bootstrap, tempDir, unique } from './helpers/env.js';
import { createTopic, kcat } from './helpers/kafka-tools.js';

/** The SASL user of kafka.sh --sasl (test/infra/tls/listeners.sh). */
const USER = 'alice';
const PASSWORD = 'alice-secret';
const WRONG_PASSWORD = 'not-alices-Pa55word';

function requireEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run integration tests with \`npm test\` (test/run.sh starts the broker with --sasl --tls)`);
  return v;
}
const listener = (which: 'SASL' | 'SSL' | 'SASL_SSL' | 'MTLS') => requireEnv(`KB_TEST_${which}_BOOTSTRAP`);
const tlsFile = (name: string) => join(requireEnv('KB_TEST_TLS_DIR'), name);

type Security = Record<string, string | boolean>;

/** A backup config for `topic` through `bootstrap` with this security section. */
function config(bootstrapServer: string, security: Security, topic = 'kb-security-no-such-topic', kafkaConfig: Record<string, unknown> = { retries: 0 }): string {
  const dir = tempDir('security-fail');
  return writeConfig(
    dir,
    'config.yaml',
    JSON.stringify({
      backup_id: unique('secf'),
      source: { bootstrap_servers: [bootstrapServer], security, topics: { include: [topic] }, kafka_config: kafkaConfig },
      storage: { backend: 'filesystem', path: join(dir, 'storage') },
    }),
  );
}

const output = (r: CliResult) => r.stdout + r.stderr;

function assertFails(r: CliResult, exit: number, code: string, ...patterns: RegExp[]): void {
  assert.equal(r.code, exit, `exit code\n${output(r).slice(-2000)}`);
  assert.match(r.stderr, new RegExp(`kafka-backup: ${code}: `), 'error code on stderr');
  for (const p of patterns) assert.match(r.stderr, p);
}

function assertNoSecret(r: CliResult, ...secrets: string[]): void {
  for (const s of secrets) assert.ok(!output(r).includes(s), `"${s}" appears in the output:\n${output(r).slice(-3000)}`);
}

const scram512 = (protocol: string, password = '${KB_TEST_SASL_PASSWORD}'): Security => ({
  security_protocol: protocol,
  sasl_mechanism: 'SCRAM-SHA-512',
  sasl_username: USER,
  sasl_password: password,
});

describe('security failures: SASL', () => {
  for (const mechanism of ['PLAIN', 'SCRAM-SHA-512']) {
    test(`wrong password (${mechanism}): exit 1, KAFKA_AUTH with a SASL credentials hint, password not shown (text, --json, -vv)`, async () => {
      const c = config(listener('SASL'), { ...scram512('SASL_PLAINTEXT'), sasl_mechanism: mechanism });
      const env = { KB_TEST_SASL_PASSWORD: WRONG_PASSWORD };
      const r = await runCli(['backup', '-c', c], env);
      assertFails(r, 1, 'KAFKA_AUTH', new RegExp(`connecting to Kafka at ${listener('SASL')}`), /authentication failed/i, /check the SASL mechanism, username and password/);
      assertNoSecret(r, WRONG_PASSWORD, PASSWORD);

      const j = await runCli(['backup', '-c', c, '--json'], env);
      assert.equal(j.code, 1);
      const err = (JSON.parse(j.stdout) as { error: { code: string; message: string } }).error;
      assert.equal(err.code, 'KAFKA_AUTH');
      assertNoSecret(j, WRONG_PASSWORD);

      const v = await runCli(['-vv', '--log-format', 'json', 'backup', '-c', c], env);
      assert.equal(v.code, 1);
      assert.match(v.stderr, /"msg":"failure details"/, 'the -vv run logs the error with its causes');
      assertNoSecret(v, WRONG_PASSWORD);
    });
  }

  test('a SASL client on the PLAINTEXT listener: KAFKA_AUTH pointing at security_protocol', async () => {
    const r = await runCli(['backup', '-c', config(bootstrap(), scram512('SASL_PLAINTEXT'))], { KB_TEST_SASL_PASSWORD: PASSWORD });
    assertFails(r, 1, 'KAFKA_AUTH', /SASL state/, /does not expect SASL: check that security\.security_protocol matches/);
    assertNoSecret(r, PASSWORD);
  });

  test('a PLAINTEXT client on the SASL listener: the broker hangs up, the hint names security_protocol', async () => {
    const r = await runCli(['backup', '-c', config(listener('SASL'), { security_protocol: 'PLAINTEXT' })]);
    assertFails(r, 1, 'KAFKA_UNREACHABLE', /Closed connection/, /check that security\.security_protocol matches the broker listener/);
  });
});

describe('security failures: TLS', () => {
  test('unknown CA (no ssl_ca_location, verification on): TLS error naming the broker address and ssl_ca_location', async () => {
    const r = await runCli(['backup', '-c', config(listener('SSL'), { security_protocol: 'SSL', ssl_reject_unauthorized: true })]);
    assertFails(r, 1, 'KAFKA_UNREACHABLE', new RegExp(`connecting to Kafka at ${listener('SSL')}: `), /self-signed certificate/, /not trusted: set security\.ssl_ca_location/);
  });

  test('the wrong CA (ssl_ca_location of an unrelated CA): the same not-trusted error', async () => {
    const r = await runCli(['backup', '-c', config(listener('SSL'), { security_protocol: 'SSL', ssl_ca_location: tlsFile('other-ca.pem') })]);
    assertFails(r, 1, 'KAFKA_UNREACHABLE', new RegExp(listener('SSL')), /certificate/, /not trusted: set security\.ssl_ca_location/);
  });

  test('a PLAINTEXT client on the SSL listener: "Closed connection" with the security_protocol hint', async () => {
    const r = await runCli(['backup', '-c', config(listener('SSL'), { security_protocol: 'PLAINTEXT' })]);
    assertFails(r, 1, 'KAFKA_UNREACHABLE', new RegExp(`connecting to Kafka at ${listener('SSL')}: Closed connection`), /security\.security_protocol matches the broker listener/);
  });

  test('an SSL client on the PLAINTEXT listener: TLS error with the TLS hint', async () => {
    const r = await runCli(['backup', '-c', config(bootstrap(), { security_protocol: 'SSL', ssl_ca_location: tlsFile('ca.pem') })]);
    assertFails(r, 1, 'KAFKA_UNREACHABLE', /secure TLS connection/, /is TLS misconfigured on the client or the broker\?/);
  });

  test('mutual TLS listener without a client certificate: the hint names the client certificate keys', async () => {
    const r = await runCli(['backup', '-c', config(listener('MTLS'), { security_protocol: 'SSL', ssl_ca_location: tlsFile('ca.pem') })]);
    assertFails(r, 1, 'KAFKA_UNREACHABLE', /bad certificate \(TLS alert 42\)/, /set security\.ssl_certificate_location and ssl_key_location/);
  });

  test('wrong ssl_key_password: CONFIG_INVALID (exit 2) before connecting, passphrase not shown', async () => {
    const mtls = (password: string) => ({
      security_protocol: 'SSL',
      ssl_ca_location: tlsFile('ca.pem'),
      ssl_certificate_location: tlsFile('client.pem'),
      ssl_key_location: tlsFile('client.enc.key'),
      ssl_key_password: password,
    });
    const r = await runCli(['backup', '-c', config(listener('MTLS'), mtls('${KB_TEST_KEY_PASSWORD}'))], { KB_TEST_KEY_PASSWORD: WRONG_PASSWORD });
    assertFails(r, 2, 'CONFIG_INVALID', /cannot decrypt the private key .*client\.enc\.key \(wrong or missing ssl_key_password\)/);
    assertNoSecret(r, WRONG_PASSWORD, readFileSync(tlsFile('client.key.password'), 'utf8').trim());
  });

  test('a key that does not belong to the certificate, and a missing CA file: CONFIG_INVALID naming the files', async () => {
    const base = { security_protocol: 'SSL', ssl_ca_location: tlsFile('ca.pem') };
    const mismatch = await runCli(['backup', '-c', config(listener('MTLS'), { ...base, ssl_certificate_location: tlsFile('broker.pem'), ssl_key_location: tlsFile('client.key') })]);
    assertFails(mismatch, 2, 'CONFIG_INVALID', /client\.key does not belong to the certificate .*broker\.pem/);
    const missing = await runCli(['backup', '-c', config(listener('SSL'), { ...base, ssl_ca_location: tlsFile('no-such-ca.pem') })]);
    assertFails(missing, 2, 'CONFIG_INVALID', /security\.ssl_ca_location: cannot read .*no-such-ca\.pem: ENOENT/);
  });
});

describe('security: no secret in verbose logs', () => {
  test('backup over SASL_SSL with -vv --log-format json: the password appears nowhere in stdout or stderr', async () => {
    const topic = unique('sec-logs');
    await createTopic(bootstrap(), topic, 1);
    await kcat(['-P', '-b', bootstrap(), '-t', topic, '-K:'], 'a:1\nb:2\nc:3\n');
    const c = config(listener('SASL_SSL'), { ...scram512('SASL_SSL'), ssl_ca_location: tlsFile('ca.pem') }, topic, {});
    const env = { KB_TEST_SASL_PASSWORD: PASSWORD };
    const r = await runCli(['-vv', '--log-format', 'json', 'backup', '-c', c], env);
    assert.equal(r.code, 0, `backup exited ${r.code}\n${r.stderr.slice(-3000)}`);
    // The check means something only if the logs did show the security settings (redacted).
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string; config?: unknown });
    const loaded = lines.find((l) => l.msg === 'config loaded');
    assert.ok(loaded, 'debug line "config loaded"');
    assert.match(JSON.stringify(loaded.config), /"sasl_username":"alice","sasl_password":"\*\*\*"/);
    assert.ok(lines.some((l) => l.msg === 'backup complete'));
    assertNoSecret(r, PASSWORD);

    const check = await runCli(['config-check', '-c', c], env);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /sasl_password/);
    assertNoSecret(check, PASSWORD);
  });
});
