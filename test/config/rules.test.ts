import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rules } from '../../src/config/rules.js';
import { base, parse, problems } from './helpers.js';

const withSecurity = (security: string, section = 'source'): string =>
  `${base}${section}:\n  bootstrap_servers: k:9093\n  security:\n${security.replace(/^/gm, '    ')}\n`;

describe('security rules', () => {
  test('SASL protocols need mechanism, username and password', () => {
    assert.deepEqual(problems(withSecurity('security_protocol: SASL_SSL')), [
      'source.security.sasl_mechanism: required when security_protocol is SASL_SSL',
      'source.security.sasl_username: required when security_protocol is SASL_SSL',
      'source.security.sasl_password: required when security_protocol is SASL_SSL',
    ]);
  });

  test('a complete SASL_SSL setup with mutual TLS is accepted', () => {
    const config = parse(
      withSecurity(`security_protocol: SASL_SSL
sasl_mechanism: SCRAM-SHA-512
sasl_username: u
sasl_password: p
ssl_ca_location: ca.pem
ssl_certificate_location: c.pem
ssl_key_location: k.pem
ssl_key_password: kp
ssl_reject_unauthorized: false`),
    );
    assert.equal(config.source!.security.ssl_reject_unauthorized, false);
    assert.equal(config.source!.security.sasl_mechanism, 'SCRAM-SHA-512');
  });

  test('sasl_* keys need a SASL protocol', () => {
    assert.deepEqual(problems(withSecurity('security_protocol: SSL\nsasl_mechanism: PLAIN\nsasl_username: u', 'target')), [
      'target.security.sasl_mechanism: sasl_mechanism is set but security_protocol is SSL',
      'target.security.sasl_username: sasl_username is set but security_protocol is SSL',
    ]);
  });

  test('ssl_* keys need an SSL protocol, even ssl_reject_unauthorized', () => {
    assert.deepEqual(problems(withSecurity('ssl_ca_location: ca.pem\nssl_reject_unauthorized: true')), [
      'source.security.ssl_ca_location: ssl_ca_location is set but security_protocol is PLAINTEXT (use SSL or SASL_SSL)',
      'source.security.ssl_reject_unauthorized: ssl_reject_unauthorized is set but security_protocol is PLAINTEXT (use SSL or SASL_SSL)',
    ]);
  });

  test('a client certificate and its key come together', () => {
    assert.deepEqual(problems(withSecurity('security_protocol: SSL\nssl_certificate_location: c.pem')), [
      'source.security.ssl_key_location: required with ssl_certificate_location',
    ]);
    assert.deepEqual(problems(withSecurity('security_protocol: SSL\nssl_key_location: k.pem')), [
      'source.security.ssl_certificate_location: required with ssl_key_location',
    ]);
    assert.deepEqual(problems(withSecurity('security_protocol: SSL\nssl_key_password: x')), [
      'source.security.ssl_key_password: ssl_key_password is set but ssl_key_location is not',
    ]);
  });
});

describe('backup and restore rules', () => {
  test('compression_level applies to zstd only, judged by what was written', () => {
    assert.deepEqual(problems(`${base}backup:\n  compression: lz4\n  compression_level: 3\n`), [
      'backup.compression_level: applies to zstd only, but backup.compression is lz4',
    ]);
    assert.equal(parse(`${base}backup:\n  compression: none\n`).backup.compression, 'none');
    assert.equal(parse(`${base}backup:\n  compression_level: 19\n`).backup.compression_level, 19);
  });

  test('a block must fit in a segment', () => {
    assert.deepEqual(problems(`${base}backup:\n  segment_max_bytes: 64KiB\n`), [
      'backup.block_max_bytes: 1048576 exceeds backup.segment_max_bytes (65536)',
    ]);
    assert.equal(parse(`${base}backup:\n  segment_max_bytes: 64KiB\n  block_max_bytes: 64KiB\n`).backup.block_max_bytes, 65536);
  });

  test('two topics may not be restored into one', () => {
    assert.deepEqual(problems(`${base}restore:\n  topic_mapping: { a: x, b: y, c: x }\n`), [
      'restore.topic_mapping.c: maps to "x", as does "a"',
    ]);
    assert.deepEqual(problems(`${base}restore:\n  topic_mapping: { a: "no/slash" }\n`), [
      'restore.topic_mapping.a: "no/slash" is not a valid topic name (1-249 of a-z A-Z 0-9 . _ -, not "." or "..")',
    ]);
  });

  test('a declared mode needs its cluster section', () => {
    assert.deepEqual(problems(`mode: restore\n${base}`), ['target: required when mode is restore']);
    assert.deepEqual(problems(`mode: backup\n${base}`), ['source: required when mode is backup']);
  });

  test('rules from several areas are reported together', () => {
    const found = problems(`${base}backup:\n  compression: none\n  compression_level: 1\n  segment_max_bytes: 64KiB
source:\n  bootstrap_servers: k:1\n  security: { security_protocol: SASL_PLAINTEXT, sasl_mechanism: PLAIN, sasl_username: u }\n`);
    assert.equal(found.length, 3, found.join('\n'));
  });

  test('target.topics is refused, pointing at restore.topics; source.topics is accepted', () => {
    assert.deepEqual(problems(`${base}target:\n  bootstrap_servers: k:1\n  topics: { include: [orders] }\n`), [
      'target.topics: has no effect: the restore selects the backed-up topics with restore.topics (and renames them with restore.topic_mapping); ' +
        'source.topics selects what a backup copies',
    ]);
    const config = parse(`${base}source:\n  bootstrap_servers: k:1\n  topics: { include: [orders] }\ntarget:\n  bootstrap_servers: k:2\n`);
    assert.deepEqual(config.source!.topics.include, ['orders']);
  });

  test('continuous-only keys are refused in snapshot mode; the group interval needs groups', () => {
    assert.deepEqual(problems(`${base}backup:\n  poll_interval_ms: 100\n  consumer_groups_interval_secs: 5\n`), [
      'backup.poll_interval_ms: applies to continuous mode only, but backup.mode is snapshot',
      'backup.consumer_groups_interval_secs: applies to continuous mode only, but backup.mode is snapshot',
    ]);
    assert.deepEqual(problems(`${base}backup:\n  mode: continuous\n  consumer_groups_interval_secs: 5\n`), [
      'backup.consumer_groups_interval_secs: has no effect: backup.consumer_groups selects no group',
    ]);
    const config = parse(`${base}backup:\n  mode: continuous\n  poll_interval_ms: 100\n  consumer_groups: ["*"]\n  consumer_groups_interval_secs: 5\n`);
    assert.deepEqual([config.backup.poll_interval_ms, config.backup.consumer_groups_interval_secs], [100, 5]);
  });

  test('restore keys that depend on another: replication_factor on create_topics, consumer_group_mapping on consumer_groups', () => {
    assert.deepEqual(problems(`${base}restore:\n  create_topics: false\n  replication_factor: 3\n  consumer_group_mapping: { a: b }\n`), [
      'restore.consumer_group_mapping: has no effect: restore.consumer_groups selects no group',
      'restore.replication_factor: applies to topics the restore creates, but restore.create_topics is false',
    ]);
    const config = parse(`${base}restore:\n  replication_factor: 3\n  consumer_groups: [a]\n  consumer_group_mapping: { a: b }\n`);
    assert.deepEqual([config.restore.replication_factor, config.restore.consumer_group_mapping], [3, { a: 'b' }]);
  });

  test('a declared mode refuses the sections only the other command reads', () => {
    const both = `${base}source: { bootstrap_servers: k:1 }\ntarget: { bootstrap_servers: k:2 }\nbackup: { mode: snapshot }\nrestore: { allow_append: true }\n`;
    assert.deepEqual(problems(`mode: backup\n${both}`), [
      'target: has no effect: mode is backup, so the file serves only the backup command (without mode, one file serves both)',
      'restore: has no effect: mode is backup, so the file serves only the backup command (without mode, one file serves both)',
    ]);
    assert.deepEqual(problems(`mode: restore\n${both}`), [
      'source: has no effect: mode is restore, so the file serves only the restore command (without mode, one file serves both)',
      'backup: has no effect: mode is restore, so the file serves only the restore command (without mode, one file serves both)',
    ]);
    assert.equal(parse(both).restore.allow_append, true);
  });

  test('every rule has a distinct name', () => {
    const names = rules.map((r) => r.name);
    assert.equal(new Set(names).size, names.length);
  });
});

describe('kafka_config: each side takes what it uses', () => {
  const side = (section: 'source' | 'target', kafkaConfig: string) =>
    `${base}${section}:\n  bootstrap_servers: k:1\n  kafka_config:\n${kafkaConfig.replace(/^/gm, '    ')}\n`;
  const noFetch = 'the restore does not fetch from Kafka (it reads the backup from storage); fetch settings belong in source.kafka_config';

  test('fetch settings are refused on the target, each named with the reason', () => {
    const found = problems(side('target', '"fetch.max.bytes": 1MiB\n"max.partition.fetch.bytes": 1MiB\n"fetch.max.wait.ms": 100\n"fetch.min.bytes": 1'));
    assert.deepEqual(found, [
      `target.kafka_config["fetch.max.bytes"]: has no effect on the target: ${noFetch}`,
      `target.kafka_config["max.partition.fetch.bytes"]: has no effect on the target: ${noFetch}`,
      `target.kafka_config["fetch.max.wait.ms"]: has no effect on the target: ${noFetch}`,
      `target.kafka_config["fetch.min.bytes"]: has no effect on the target: ${noFetch}`,
    ]);
    const config = parse(side('source', '"fetch.max.bytes": 1MiB\n"max.partition.fetch.bytes": 1MiB\n"fetch.max.wait.ms": 100\n"fetch.min.bytes": 1'));
    assert.equal(config.source!.kafka_config['fetch.max.wait.ms'], 100);
  });

  test('max.in.flight.requests.per.connection is refused on the source', () => {
    assert.deepEqual(problems(side('source', '"max.in.flight.requests.per.connection": 1')), [
      'source.kafka_config["max.in.flight.requests.per.connection"]: has no effect on the source: the backup does not produce; ' +
        "this limits the restore's Produce requests and belongs in target.kafka_config",
    ]);
    assert.equal(parse(side('target', '"max.in.flight.requests.per.connection": 1')).target!.kafka_config['max.in.flight.requests.per.connection'], 1);
  });

  test('acks is refused on both sides: not configurable on the target, a producer property on the source', () => {
    for (const value of ['all', '1', '-1', '0']) {
      assert.deepEqual(problems(side('target', `acks: ${value}`)), [
        'target.kafka_config.acks: not configurable: the restore always produces with acks all (-1): its producer is idempotent, which needs it, ' +
          'and a record the leader alone acknowledged could be lost in a leader change after the restore counted it as written',
      ]);
      assert.deepEqual(problems(side('source', `acks: ${value}`)), [
        'source.kafka_config.acks: a producer property, which has no effect on the source: the backup does not produce',
      ]);
    }
  });

  test('known Java client properties are refused with their reason; consumer ones on the target say they have no effect there', () => {
    assert.deepEqual(problems(side('target', '"linger.ms": 5\n"group.id": g\n"socket.send.buffer.bytes": 1048576')), [
      'target.kafka_config["linger.ms"]: not applicable: the restore produces the backed-up record batches as they are, compressed as their ' +
        'producer compressed them (small uncompressed ones merged up to restore.produce_batch_size records), not records one by one through a producer buffer',
      'target.kafka_config["group.id"]: a consumer property, which has no effect on the target: the restore does not fetch from Kafka',
      "target.kafka_config[\"socket.send.buffer.bytes\"]: not supported: the Kafka connections use the operating system's socket buffer sizes",
    ]);
    assert.deepEqual(problems(side('source', '"isolation.level": read_uncommitted\n"bootstrap.servers": k:1')), [
      'source.kafka_config["isolation.level"]: not configurable: the backup always reads read_committed, so aborted transactions are never backed up',
      "source.kafka_config[\"bootstrap.servers\"]: kafka-backup's own key for this is bootstrap_servers in this section",
    ]);
  });
});

describe('keys with no use are refused with the reason', () => {
  test('storage.project_id (gcs): kafka-backup needs no project for objects in an existing bucket', () => {
    assert.deepEqual(problems(`backup_id: b\nstorage: { backend: gcs, bucket: acme-backups, project_id: acme-prod }\n`), [
      'storage.project_id: not used: kafka-backup only reads and writes objects in an existing bucket, which needs no project id ' +
        '(the bucket belongs to its project, and the credentials name who pays); remove it',
    ]);
    assert.deepEqual(problems(`backup_id: b\nstorage: { backend: s3, bucket: acme-backups, project_id: acme-prod }\n`), [
      'storage.project_id: unknown key',
    ]);
  });
});
