// The restore's permission preflight against the test broker's real authorizer (kafka.sh --sasl:
// StandardAuthorizer, allow.everyone.if.no.acl.found, alice and the other test principals super
// users). The restore runs as bob, the restricted user, over SASL_PLAINTEXT with SCRAM-SHA-512;
// ACLs are added with Kafka's own AclCommand on topics no other test uses, and removed at the end.
// The fixture is produced and the targets are checked with kcat and GetOffsetShell over PLAINTEXT.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { EXIT } from '../../src/cli/exit-codes.js';
import { connectKafka } from '../../src/kafka/connect.js';
import { kafkaAccessProbe } from '../../src/kafka/kafka-access.js';
import { kafkaSettings } from '../../src/kafka/settings.js';
import { parseConfig } from '../../src/config/load.js';
import { runCli, writeConfig } from './helpers/cli.js';
import { bootstrap, tempDir, unique } from './helpers/env.js';
import { commitGroup } from './helpers/groups.js';
import { createTopic, endOffsets, kafkaTool, kcat, topicExists } from './helpers/kafka-tools.js';

/** The restricted SASL user of kafka.sh --sasl (test/infra/tls/listeners.sh). */
const BOB = { user: 'bob', password: 'bob-secret' };
const env = { KB_TEST_BOB_PASSWORD: BOB.password };

function saslBootstrap(): string {
  const v = process.env.KB_TEST_SASL_BOOTSTRAP;
  if (!v) throw new Error('KB_TEST_SASL_BOOTSTRAP is not set: run integration tests with test/run.sh (it starts the broker with --sasl)');
  return v;
}

const bobSecurity = {
  security_protocol: 'SASL_PLAINTEXT',
  sasl_mechanism: 'SCRAM-SHA-512',
  sasl_username: BOB.user,
  sasl_password: '${KB_TEST_BOB_PASSWORD}',
};

/** Topic names the ACLs of this file name: removed again by `after`. */
const aclArgs: string[][] = [];

async function addAcl(b: string, args: string[]): Promise<void> {
  await kafkaTool('org.apache.kafka.tools.AclCommand', ['--bootstrap-server', b, '--add', ...args]);
  aclArgs.push(args);
}

describe('restore authorization preflight', { timeout: 300_000 }, () => {
  const plain = bootstrap();
  const source = unique('authz-src');
  const dir = tempDir('restore-authorization');
  const backupId = unique('authz');

  /** A config that backs `source` up over PLAINTEXT and restores it as bob into `target`. */
  function config(name: string, target: string): string {
    return writeConfig(
      dir,
      name,
      JSON.stringify({
        backup_id: backupId,
        source: { bootstrap_servers: [plain], topics: { include: [source] } },
        target: { bootstrap_servers: [saslBootstrap()], security: bobSecurity },
        storage: { backend: 'filesystem', path: join(dir, 'storage') },
        restore: { topic_mapping: { [source]: target } },
      }),
    );
  }

  before(async () => {
    await createTopic(plain, source, 2);
    for (const p of [0, 1]) {
      const lines = Array.from({ length: 15 }, (_, i) => `k${p}-${i}:value ${p}/${i}`);
      await kcat(['-P', '-b', plain, '-t', source, '-p', String(p), '-K:'], lines.join('\n') + '\n');
    }
    const backup = await runCli(['backup', '-c', config('backup.yaml', 'unused')], env);
    assert.equal(backup.code, 0, `backup exited ${backup.code}\n${backup.stderr.slice(-3000)}`);
  });

  after(async () => {
    for (const args of aclArgs) {
      await kafkaTool('org.apache.kafka.tools.AclCommand', ['--bootstrap-server', plain, '--remove', '--force', ...args]);
    }
  });

  test('WRITE denied on an existing target topic: validate-restore names it, restore stops before producing', async () => {
    const target = unique('authz-nowrite');
    await createTopic(plain, target, 2);
    await addAcl(plain, ['--allow-principal', 'User:bob', '--operation', 'Describe', '--topic', target]);
    await addAcl(plain, ['--deny-principal', 'User:bob', '--operation', 'Write', '--topic', target]);
    const file = config('nowrite.yaml', target);

    const check = await runCli(['validate-restore', '-c', file], env);
    assert.equal(check.code, EXIT.problems, `validate-restore exited ${check.code}\n${check.stdout}\n${check.stderr.slice(-3000)}`);
    const problem = `target topic ${target}: the principal User:bob may not WRITE it`;
    assert.ok(check.stderr.includes(problem), `validate-restore names the topic and WRITE:\n${check.stderr}`);
    assert.ok(check.stderr.includes(`kafka-acls --add --allow-principal User:bob --operation Write --topic ${target}`), check.stderr);

    const restore = await runCli(['restore', '-c', file], env);
    assert.equal(restore.code, EXIT.conflict, `restore exited ${restore.code}\n${restore.stderr.slice(-3000)}`);
    assert.ok(restore.stderr.includes(problem), `restore names the topic and WRITE:\n${restore.stderr}`);
    assert.deepEqual([...(await endOffsets(plain, target))].sort(), [[0, 0], [1, 0]], 'nothing was produced to the target');
  });

  test('no denials: validate-restore passes and bob restores every record', async () => {
    const target = unique('authz-clean');
    const file = config('clean.yaml', target);
    const check = await runCli(['validate-restore', '-c', file, '--quick'], env);
    assert.equal(check.code, EXIT.ok, `validate-restore exited ${check.code}\n${check.stdout}\n${check.stderr.slice(-3000)}`);
    assert.ok(check.stdout.includes('No problems found'), check.stdout);
    const restore = await runCli(['restore', '-c', file], env);
    assert.equal(restore.code, EXIT.ok, `restore exited ${restore.code}\n${restore.stderr.slice(-3000)}`);
    assert.deepEqual([...(await endOffsets(plain, target))].sort(), [[0, 15], [1, 15]]);
  });

  test('the probe reports per-group READ, and the mTLS client is the super user kafka.sh names', async () => {
    const denied = unique('authz-g-denied');
    const describeOnly = unique('authz-g-describe');
    const reader = unique('authz-g-read');
    await addAcl(plain, ['--deny-principal', 'User:bob', '--operation', 'Read', '--group', denied]);
    await addAcl(plain, ['--allow-principal', 'User:bob', '--operation', 'Describe', '--group', describeOnly]);
    await addAcl(plain, ['--allow-principal', 'User:bob', '--operation', 'Read', '--group', reader]);
    const free = unique('authz-g-free');
    const log = pino({ level: 'silent' });
    const settingsFor = (target: Record<string, unknown>) =>
      kafkaSettings(parseConfig(JSON.stringify({ backup_id: 'x', target, storage: { backend: 'filesystem', path: dir } }), 'probe.yaml').target!);

    const bob = await connectKafka(settingsFor({ bootstrap_servers: [saslBootstrap()], security: { ...bobSecurity, sasl_password: BOB.password } }), log);
    try {
      const probe = kafkaAccessProbe(bob, log);
      assert.equal(probe.principal, 'User:bob');
      const read = await probe.groupRead([denied, describeOnly, reader, free]);
      assert.deepEqual(Object.fromEntries(read), { [denied]: false, [describeOnly]: false, [reader]: true, [free]: true });
    } finally {
      await bob.close();
    }

    const tls = process.env.KB_TEST_TLS_DIR;
    const mtls = process.env.KB_TEST_MTLS_BOOTSTRAP;
    assert.ok(tls && mtls, 'KB_TEST_TLS_DIR and KB_TEST_MTLS_BOOTSTRAP are set by test/run.sh');
    const security = { security_protocol: 'SSL', ssl_ca_location: join(tls, 'ca.pem'), ssl_certificate_location: join(tls, 'client.pem'), ssl_key_location: join(tls, 'client.key') };
    const client = await connectKafka(settingsFor({ bootstrap_servers: [mtls], security }), log);
    try {
      const probe = kafkaAccessProbe(client, log);
      assert.equal(probe.principal, 'User:CN=kafka-backup-test-client,O=kafka-backup test');
      // A super user may READ a group whose only ACL denies bob; anyone else would be refused.
      assert.deepEqual(Object.fromEntries(await probe.groupRead([denied])), { [denied]: true });
    } finally {
      await client.close();
    }
  });

  test('READ denied on a consumer group the restore would commit: validate-restore names the group', async () => {
    const group = unique('authz-g-commit');
    await commitGroup(plain, group, source, { 0: 3, 1: 4 });
    const groupsBackup = unique('authz-groups');
    const target = unique('authz-groups-t');
    const file = (name: string, restore: Record<string, unknown>) =>
      writeConfig(
        dir,
        name,
        JSON.stringify({
          backup_id: groupsBackup,
          source: { bootstrap_servers: [plain], topics: { include: [source] } },
          target: { bootstrap_servers: [saslBootstrap()], security: bobSecurity },
          storage: { backend: 'filesystem', path: join(dir, 'storage') },
          backup: { consumer_groups: [group] },
          restore: { topic_mapping: { [source]: target }, ...restore },
        }),
      );
    const backup = await runCli(['backup', '-c', file('groups-backup.yaml', {})], env);
    assert.equal(backup.code, 0, backup.stderr.slice(-3000));
    await addAcl(plain, ['--deny-principal', 'User:bob', '--operation', 'Read', '--group', group]);
    const check = await runCli(['validate-restore', '-c', file('groups-restore.yaml', { consumer_groups: [group] }), '--quick'], env);
    assert.equal(check.code, EXIT.problems, `validate-restore exited ${check.code}\n${check.stdout}\n${check.stderr.slice(-3000)}`);
    assert.ok(check.stderr.includes(`consumer group ${group}: the principal User:bob may not READ it`), check.stderr);
    assert.ok(check.stderr.includes(`kafka-acls --add --allow-principal User:bob --operation Read --group ${group}`), check.stderr);
  });

  // Last: the cluster ACLs these add restrict bob on every cluster operation until `after` removes them.
  test('CREATE denied for a topic the restore would create: named by validate-restore and restore', async () => {
    const target = unique('authz-nocreate');
    await addAcl(plain, ['--allow-principal', 'User:bob', '--operation', 'Describe', '--operation', 'Write', '--topic', target]);
    await addAcl(plain, ['--deny-principal', 'User:bob', '--operation', 'Create', '--topic', target]);
    // Without CREATE on the cluster too, CreateTopics would allow bob every topic.
    await addAcl(plain, ['--deny-principal', 'User:bob', '--operation', 'Create', '--cluster']);
    const file = config('nocreate.yaml', target);
    const problem = `target topic ${target}: the principal User:bob may not CREATE it`;

    // bob may not DESCRIBE the cluster, so Metadata hides its cluster operations: CreateTopics
    // validate_only answers, with TOPIC_AUTHORIZATION_FAILED.
    const hidden = await runCli(['validate-restore', '-c', file, '--quick'], env);
    assert.equal(hidden.code, EXIT.problems, `validate-restore exited ${hidden.code}\n${hidden.stderr.slice(-3000)}`);
    assert.ok(hidden.stderr.includes(`${problem} (CreateTopics answered TOPIC_AUTHORIZATION_FAILED`), hidden.stderr);

    const restore = await runCli(['restore', '-c', file], env);
    assert.equal(restore.code, EXIT.conflict, `restore exited ${restore.code}\n${restore.stderr.slice(-3000)}`);
    assert.ok(restore.stderr.includes(problem), `restore names the topic and CREATE:\n${restore.stderr}`);
    assert.equal(await topicExists(plain, target), false, 'the restore created nothing');

    // With DESCRIBE on the cluster, Metadata's authorized operations answer before CreateTopics.
    await addAcl(plain, ['--allow-principal', 'User:bob', '--operation', 'Describe', '--cluster']);
    const known = await runCli(['validate-restore', '-c', file, '--quick'], env);
    assert.equal(known.code, EXIT.problems, `validate-restore exited ${known.code}\n${known.stderr.slice(-3000)}`);
    assert.ok(known.stderr.includes(`${problem} (the restore creates it;`), known.stderr);
    // bob lacks IDEMPOTENT_WRITE on the cluster now, but WRITE on the topic lets InitProducerId pass.
    assert.ok(!known.stderr.includes('IDEMPOTENT_WRITE'), known.stderr);
  });
});
