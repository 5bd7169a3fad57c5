// Backup and restore through the test broker's secured listeners (test/run.sh starts it with
// kafka.sh --sasl --tls): SASL_PLAINTEXT with PLAIN, SCRAM-SHA-512 and SCRAM-SHA-256, SSL with a CA
// file, mutual TLS with an encrypted client key, SASL_SSL with SCRAM-SHA-512. The fixture is
// produced and both topics are read with kcat over PLAINTEXT, so the check never goes through
// kafka-backup's own Kafka code. Secrets reach the CLI only as ${VAR} from its environment.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { runCli, writeConfig } from './helpers/cli.js';
import { bootstrap, tempDir, unique } from './helpers/env.js';
import { createTopic, kcat } from './helpers/kafka-tools.js';

/** The SASL user of kafka.sh --sasl (test/infra/tls/listeners.sh). */
const USER = 'alice';
const PASSWORD = 'alice-secret';

function requireEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run integration tests with \`npm test\` (test/run.sh starts the broker with --sasl --tls)`);
  return v;
}

/** The secured listeners and the certificate directory that test/run.sh exports. */
function securedBroker() {
  return {
    sasl: requireEnv('KB_TEST_SASL_BOOTSTRAP'),
    ssl: requireEnv('KB_TEST_SSL_BOOTSTRAP'),
    saslSsl: requireEnv('KB_TEST_SASL_SSL_BOOTSTRAP'),
    mtls: requireEnv('KB_TEST_MTLS_BOOTSTRAP'),
    tls: requireEnv('KB_TEST_TLS_DIR'),
  };
}

interface KcatRecord {
  partition: number;
  key: string | null;
  payload: string | null;
  headers: string[];
  ts: number;
  tstype: string;
}

/** Every record of a topic, per partition in offset order, without offsets. */
async function readTopic(b: string, topic: string): Promise<KcatRecord[][]> {
  const r = await kcat(['-C', '-b', b, '-t', topic, '-e', '-q', '-J']);
  const rows = r.stdout
    .toString()
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as KcatRecord & { offset: number });
  const parts: KcatRecord[][] = [];
  for (const row of rows.sort((a, z) => a.partition - z.partition || a.offset - z.offset)) {
    const { partition, key, payload, headers, ts, tstype } = row;
    (parts[partition] ??= []).push({ partition, key, payload, headers: headers ?? [], ts, tstype });
  }
  return parts;
}

/** Keys of the `security:` section, as the user would write them (secrets as ${VAR}). */
type Security = Record<string, string | boolean>;

async function roundTrip(opts: { source: string; target: string; bootstrap: string; security: Security; env: NodeJS.ProcessEnv }) {
  const dir = tempDir('security');
  const connection = { bootstrap_servers: [opts.bootstrap], security: opts.security };
  const config = writeConfig(
    dir,
    'config.yaml',
    JSON.stringify({
      backup_id: unique('sec'),
      source: { ...connection, topics: { include: [opts.source] } },
      target: connection,
      storage: { backend: 'filesystem', path: join(dir, 'storage') },
      restore: { topic_mapping: { [opts.source]: opts.target } },
    }),
  );
  for (const secret of Object.values(opts.env)) assert.ok(!readFileSync(config, 'utf8').includes(secret!), 'no secret in the config file');
  const backup = await runCli(['backup', '-c', config], opts.env);
  assert.equal(backup.code, 0, `backup exited ${backup.code}\n${backup.stderr.slice(-3000)}`);
  const restore = await runCli(['restore', '-c', config], opts.env);
  assert.equal(restore.code, 0, `restore exited ${restore.code}\n${restore.stderr.slice(-3000)}`);
}

describe('security: backup and restore through secured listeners', () => {
  const plain = bootstrap();
  const source = unique('sec-src');
  let expected: KcatRecord[][] = [];

  before(async () => {
    await createTopic(plain, source, 2);
    for (const p of [0, 1]) {
      const lines = Array.from({ length: 12 }, (_, i) => (i === 5 ? `tomb-${p}:` : `key-${p}-${i}:value ${p}/${i} ✓`));
      await kcat(['-P', '-b', plain, '-t', source, '-p', String(p), '-K:', '-Z', '-H', `origin=p${p}`, '-H', 'dup=1', '-H', 'dup=2'], lines.join('\n') + '\n');
    }
    expected = await readTopic(plain, source);
    // The fixture is what the comparisons below claim to cover.
    assert.equal(expected.length, 2, 'two partitions');
    assert.deepEqual(expected.map((p) => p.length), [12, 12]);
    assert.ok(expected[0]!.some((r) => r.payload === null), 'a tombstone');
    assert.deepEqual(expected[1]![0]!.headers, ['origin', 'p1', 'dup', '1', 'dup', '2']);
  });

  const sasl = (protocol: string, mechanism: string): Security => ({
    security_protocol: protocol,
    sasl_mechanism: mechanism,
    sasl_username: USER,
    sasl_password: '${KB_TEST_SASL_PASSWORD}',
  });
  const cases: { name: string; listener: (l: ReturnType<typeof securedBroker>) => string; security: (tls: string) => Security; keyPassword?: boolean }[] = [
    { name: 'SASL_PLAINTEXT + PLAIN', listener: (l) => l.sasl, security: () => sasl('SASL_PLAINTEXT', 'PLAIN') },
    { name: 'SASL_PLAINTEXT + SCRAM-SHA-512', listener: (l) => l.sasl, security: () => sasl('SASL_PLAINTEXT', 'SCRAM-SHA-512') },
    { name: 'SASL_PLAINTEXT + SCRAM-SHA-256', listener: (l) => l.sasl, security: () => sasl('SASL_PLAINTEXT', 'SCRAM-SHA-256') },
    {
      name: 'SSL with a CA file, server certificate verified',
      listener: (l) => l.ssl,
      security: (tls) => ({ security_protocol: 'SSL', ssl_ca_location: join(tls, 'ca.pem'), ssl_reject_unauthorized: true }),
    },
    {
      name: 'mutual TLS (ssl.client.auth=required) with an encrypted client key',
      listener: (l) => l.mtls,
      keyPassword: true,
      security: (tls) => ({
        security_protocol: 'SSL',
        ssl_ca_location: join(tls, 'ca.pem'),
        ssl_certificate_location: join(tls, 'client.pem'),
        ssl_key_location: join(tls, 'client.enc.key'),
        ssl_key_password: '${KB_TEST_SSL_KEY_PASSWORD}',
      }),
    },
    {
      name: 'SASL_SSL + SCRAM-SHA-512',
      listener: (l) => l.saslSsl,
      security: (tls) => ({ ...sasl('SASL_SSL', 'SCRAM-SHA-512'), ssl_ca_location: join(tls, 'ca.pem') }),
    },
  ];

  for (const [i, c] of cases.entries()) {
    test(`${c.name}: records restored equal the source (kcat)`, async () => {
      const l = securedBroker();
      const security = c.security(l.tls);
      const env: NodeJS.ProcessEnv = {};
      if ('sasl_password' in security) env.KB_TEST_SASL_PASSWORD = PASSWORD;
      if (c.keyPassword) env.KB_TEST_SSL_KEY_PASSWORD = readFileSync(join(l.tls, 'client.key.password'), 'utf8').trim();
      const target = `${source}-to-${i}`;
      await roundTrip({ source, target, bootstrap: c.listener(l), security, env });
      assert.deepEqual(await readTopic(plain, target), expected, `${target} equals ${source}`);
    });
  }
});
