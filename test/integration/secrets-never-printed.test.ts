// No secret is ever printed. Every key the schema marks secret (src/config/secret-mark.ts) is
// filled with a unique marker, and every command (config-check, backup, status, verify,
// validate-restore, restore, offsets plan, offsets apply) runs at every verbosity (none, -v, -vv),
// with text output (pretty logs) and with --json (JSON logs), against the real broker and object
// stores: with wrong credentials, where the failures and the libraries' error messages are where
// secrets leak, and with right ones, where the real secrets must not show either. Neither stdout
// nor stderr of any run may hold a marker or a real secret.
//
// The secret keys come from the schema: a marked key that no scenario fills fails the test, so a
// new secret is covered once it is marked (and test/config/secret-mark.test.ts makes sure it is).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { BlobServiceClient, ContainerSASPermissions } from '@azure/storage-blob';
import { configSchema } from '../../src/config/schema.js';
import { secretKeys } from '../../src/config/schema-walk.js';
import { runCli, writeConfig, type CliResult } from './helpers/cli.js';
import { bootstrap, tempDir, unique } from './helpers/env.js';
import { commitGroup } from './helpers/groups.js';
import { createTopic, kcat } from './helpers/kafka-tools.js';
import { freshStorage } from './helpers/object-stores.js';

function requireEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run integration tests with \`npm test\` (test/run.sh starts the broker and the stores)`);
  return v;
}

/** The SASL user of kafka.sh --sasl (test/infra/tls/listeners.sh). */
const USER = 'alice';
const PASSWORD = 'alice-secret';
const tlsFile = (name: string) => join(requireEnv('KB_TEST_TLS_DIR'), name);

/** A unique text no output may hold; letters and hex digits, so it also passes as base64 (an Azure key). */
const marker = (what: string): string => `SeCrEtMaRk${what}${randomBytes(8).toString('hex')}`;

type Section = Record<string, unknown>;

interface Scenario {
  name: string;
  config: Section;
  /** The secret keys set (to a marker, or a real secret), as dotted paths. */
  fills: string[];
  /** Texts no output may hold: the markers and the real secrets of the config. */
  secrets: string[];
  /** Environment of the runs (secrets given as ${VAR}). */
  env?: NodeJS.ProcessEnv;
  /** With right credentials: these commands must succeed. */
  succeeds?: string[];
}

/** Fail fast: the point is what a failure prints, not kafkajs's patience. */
const kafkaConfig = { retries: 0, 'request.timeout.ms': 10000, 'socket.connection.setup.timeout.ms': 5000 };

const plaintext = (): Section => ({ bootstrap_servers: [bootstrap()], kafka_config: kafkaConfig });

/** SASL_SSL with SCRAM and a client certificate whose key is encrypted: both Kafka secrets in use. */
const secured = (password: string, keyPassword: string): Section => ({
  bootstrap_servers: [requireEnv('KB_TEST_SASL_SSL_BOOTSTRAP')],
  security: {
    security_protocol: 'SASL_SSL',
    sasl_mechanism: 'SCRAM-SHA-512',
    sasl_username: USER,
    sasl_password: password,
    ssl_ca_location: tlsFile('ca.pem'),
    ssl_certificate_location: tlsFile('client.pem'),
    ssl_key_location: tlsFile('client.enc.key'),
    ssl_key_password: keyPassword,
  },
  kafka_config: kafkaConfig,
});

/** The commands, each run with every verbosity and output format. */
const commands: { name: string; args: string[] }[] = [
  { name: 'config-check', args: ['config-check'] },
  { name: 'backup', args: ['backup'] },
  { name: 'status', args: ['status'] },
  { name: 'verify', args: ['verify'] },
  { name: 'validate-restore', args: ['validate-restore'] },
  { name: 'restore', args: ['restore'] },
  { name: 'offsets plan', args: ['offsets', 'plan', '--group', '*'] },
  { name: 'offsets apply', args: ['offsets', 'apply', '--group', '*'] },
];
const verbosities = [[], ['-v'], ['-vv']];
const formats = [
  { name: 'text', global: ['--log-format', 'pretty'], local: [] },
  { name: 'json', global: ['--log-format', 'json'], local: ['--json'] },
];

function argsFor(command: { args: string[] }, verbosity: string[], format: (typeof formats)[number], config: string): string[] {
  const [first, ...rest] = command.args;
  // Options of the command go after its name; --group is variadic, so it comes last.
  return [...format.global, ...verbosity, first!, ...(first === 'offsets' ? [rest[0]!] : []), '-c', config, ...format.local, ...(first === 'offsets' ? rest.slice(1) : rest)];
}

const valueAt = (object: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], object);

/** Every secret key of the schema, as "path" or "path (backend)". */
const schemaSecrets = () => secretKeys(configSchema).map((k) => `${k.path.join('.')}${k.variant['storage.backend'] ? ` (${k.variant['storage.backend']})` : ''}`);

function filledKeys(s: Scenario): string[] {
  const backend = valueAt(s.config, 'storage.backend') as string;
  return s.fills.map((path) => (path.startsWith('storage.') ? `${path} (${backend})` : path));
}

async function runScenario(s: Scenario): Promise<void> {
  const dir = tempDir('secrets');
  const config = writeConfig(dir, 'config.yaml', JSON.stringify(s.config));
  for (const command of commands) {
    const results: { args: string[]; r: CliResult }[] = [];
    for (const verbosity of verbosities) {
      for (const format of formats) {
        const args = argsFor(command, verbosity, format, config);
        results.push({ args, r: await runCli(args, s.env ?? {}) });
      }
    }
    for (const { args, r } of results) {
      const what = `${s.name}: kafka-backup ${args.join(' ')}`;
      const out = `${r.stdout}\n${r.stderr}`;
      for (const secret of s.secrets) {
        const at = out.indexOf(secret);
        assert.ok(at < 0, `${what}: a secret is printed (exit ${r.code}):\n…${out.slice(Math.max(0, at - 600), at + 200)}…`);
      }
      assert.ok(r.code !== null && r.code !== 70, `${what}: exit ${r.code}\n${out.slice(-2000)}`);
    }
    if (command.name === 'config-check') checkConfigCheck(s, results);
    if (s.succeeds?.includes(command.name)) {
      for (const { args, r } of results) assert.equal(r.code, 0, `${s.name}: kafka-backup ${args.join(' ')} should succeed:\n${r.stderr.slice(-2000)}`);
    }
    if (command.name === 'backup' && s.succeeds?.includes('backup')) {
      // The check means something only if the verbose logs did show the configuration.
      for (const { args, r } of results.filter(({ args }) => args.includes('-v') || args.includes('-vv'))) {
        assert.match(r.stderr, /config loaded/, `${args.join(' ')}: the config is logged`);
        assert.match(r.stderr, /\*\*\*/, `${args.join(' ')}: with its secrets masked`);
      }
    }
  }
}

/** config-check accepts every scenario's file and shows each filled secret as "***". */
function checkConfigCheck(s: Scenario, results: { args: string[]; r: CliResult }[]): void {
  for (const { args, r } of results) {
    assert.equal(r.code, 0, `${s.name}: config-check: ${r.stderr}`);
    const shown = args.includes('--json') ? JSON.parse(r.stdout) : JSON.parse(r.stdout.slice(r.stdout.indexOf('\n') + 1));
    for (const path of s.fills) assert.equal(valueAt(shown, path), '***', `${s.name}: ${path} in config-check ${args.join(' ')}`);
  }
}

describe('secrets are never printed', () => {
  const scenarios: Scenario[] = [];
  const topic = unique('secrets-src');

  before(async () => {
    const keyPassword = readFileSync(tlsFile('client.key.password'), 'utf8').trim();
    const s3SecretKey = requireEnv('KB_TEST_S3_SECRET_KEY');
    const azureConnection = requireEnv('KB_TEST_AZURE_CONNECTION_STRING');
    const azureEndpoint = requireEnv('KB_TEST_AZURE_ENDPOINT');

    // A topic with records and a committed group, so that the runs with right credentials back up,
    // restore and translate offsets for real.
    await createTopic(bootstrap(), topic, 2);
    await kcat(['-P', '-b', bootstrap(), '-t', topic, '-K:'], Array.from({ length: 20 }, (_, i) => `k${i}:v${i}`).join('\n') + '\n');
    await commitGroup(bootstrap(), unique('secrets-group'), topic, { 0: 1, 1: 1 });
    const base = (name: string, storage: Section, source: Section, target: Section): Section => ({
      backup_id: unique('secrets'),
      source: { ...source, topics: { include: [topic] } },
      target,
      storage,
      backup: { consumer_groups: ['*'] },
      restore: { topic_mapping: { [topic]: unique(`secrets-${name}`) }, consumer_groups: ['*'] },
    });

    const s3 = await freshStorage('s3');
    const azure = await freshStorage('azure');
    const azureAccount = { backend: 'azure', container: azure.container, prefix: azure.prefix, endpoint: azureEndpoint, block_size: azure.block_size };
    const containerSas = async (): Promise<string> => {
      const client = BlobServiceClient.fromConnectionString(azureConnection).getContainerClient(String(azure.container));
      const url = await client.generateSasUrl({ permissions: ContainerSASPermissions.parse('racwdl'), expiresOn: new Date(Date.now() + 3_600_000) });
      return new URL(url).search.slice(1);
    };
    const sas = await containerSas();
    const m = Object.fromEntries(['S3Secret', 'S3Token', 'SourceSasl', 'TargetSasl', 'SourceKeyPw', 'TargetKeyPw', 'SourceSasl2', 'TargetSasl2', 'AzureConnKey', 'AzureKey', 'AzureSig'].map((k) => [k, marker(k)]));
    const wrongConnection = azureConnection.replace(/AccountKey=[^;]+/, `AccountKey=${m.AzureConnKey}`);
    const wrongSas = `sv=2023-01-03&ss=b&srt=sco&sp=rwdlac&se=2030-01-01T00%3A00%3A00Z&sig=${m.AzureSig}`;
    const kafkaSecrets = ['source.security.sasl_password', 'source.security.ssl_key_password', 'target.security.sasl_password', 'target.security.ssl_key_password'];
    const succeeds = ['backup', 'status', 'verify', 'validate-restore', 'restore'];

    scenarios.push(
      {
        // Kafka stops at the client key (CONFIG_INVALID before connecting); the storage commands meet S3's refusal.
        name: 's3 with a wrong secret_access_key and session_token; Kafka with a wrong ssl_key_password (and sasl_password)',
        config: base('f1', { ...s3, secret_access_key: m.S3Secret, session_token: m.S3Token }, secured(m.SourceSasl!, m.SourceKeyPw!), secured(m.TargetSasl!, m.TargetKeyPw!)),
        fills: ['storage.secret_access_key', 'storage.session_token', ...kafkaSecrets],
        secrets: [m.S3Secret!, m.S3Token!, m.SourceSasl!, m.SourceKeyPw!, m.TargetSasl!, m.TargetKeyPw!],
      },
      {
        // The client key opens; SASL authentication fails.
        name: 'azure connection_string with a wrong AccountKey; Kafka with a wrong sasl_password',
        config: base('f2', { ...azure, connection_string: wrongConnection }, secured(m.SourceSasl2!, keyPassword), secured(m.TargetSasl2!, keyPassword)),
        fills: ['storage.connection_string', ...kafkaSecrets],
        secrets: [m.AzureConnKey!, m.SourceSasl2!, m.TargetSasl2!, keyPassword],
      },
      {
        name: 'azure with a wrong account_key; Kafka reachable',
        config: base('f3', { ...azureAccount, account_key: m.AzureKey }, plaintext(), plaintext()),
        fills: ['storage.account_key'],
        secrets: [m.AzureKey!],
      },
      {
        name: 'azure with a sas_token whose signature is wrong; Kafka reachable',
        config: base('f4', { ...azureAccount, sas_token: wrongSas }, plaintext(), plaintext()),
        fills: ['storage.sas_token'],
        secrets: [m.AzureSig!],
      },
      {
        name: 'right credentials, from the environment: s3, and Kafka over SASL_SSL with an encrypted client key',
        config: base('s1', { ...s3, secret_access_key: '${KB_SECRETS_S3}' }, secured('${KB_SECRETS_SASL}', '${KB_SECRETS_KEY}'), secured('${KB_SECRETS_SASL}', '${KB_SECRETS_KEY}')),
        env: { KB_SECRETS_S3: s3SecretKey, KB_SECRETS_SASL: PASSWORD, KB_SECRETS_KEY: keyPassword },
        fills: ['storage.secret_access_key', ...kafkaSecrets],
        // The test MinIO's secret key equals its access key id, which is shown (an identifier): only a distinct one is looked for.
        secrets: [...(s3SecretKey === s3.access_key_id ? [] : [s3SecretKey]), PASSWORD, keyPassword],
        succeeds,
      },
      {
        // A SAS travels in every request URL.
        name: 'right credentials: azure sas_token',
        config: base('s2', { ...azureAccount, sas_token: sas }, plaintext(), plaintext()),
        fills: ['storage.sas_token'],
        secrets: [sas, new URLSearchParams(sas).get('sig')!, encodeURIComponent(new URLSearchParams(sas).get('sig')!)],
        succeeds,
      },
    );
  });

  test('every secret key of the schema is filled with a marker by some scenario', () => {
    const filled = new Set(scenarios.filter((s) => s.succeeds === undefined).flatMap(filledKeys));
    const missing = schemaSecrets().filter((key) => !filled.has(key));
    assert.deepEqual(missing, [], 'a secret key no failing scenario fills with a marker: add it to a scenario above');
    assert.ok(PASSWORD.length >= 6, 'the real secrets are long enough to be scrubbed from free text');
  });

  test('no run of any command prints a secret', { timeout: 30 * 60_000 }, async () => {
    // Scenarios run side by side, the runs of one scenario in order (backup before restore).
    const queue = [...scenarios];
    await Promise.all(
      Array.from({ length: 3 }, async () => {
        for (let s = queue.shift(); s !== undefined; s = queue.shift()) await runScenario(s);
      }),
    );
  });
});
