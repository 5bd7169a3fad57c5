import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { base, parse, problems } from './helpers.js';

describe('parseConfig: YAML and structure', () => {
  test('a YAML syntax error is reported with its line and column', () => {
    const found = problems('backup_id: x\nstorage:\n  backend: [filesystem\n  path: d\n');
    assert.equal(found.length, 1);
    assert.match(found[0]!, /^line \d+, column \d+: /);
    const dup = problems('backup_id: a\nbackup_id: b\n');
    assert.match(dup[0]!, /^line 2, column 1: .*unique/i);
  });

  test('an empty file and a non-mapping are rejected', () => {
    assert.deepEqual(problems(''), ['(root): the config file is empty']);
    assert.deepEqual(problems('- a\n- b\n'), ['(root): expected a mapping of config keys, got a list']);
  });

  test('unknown keys are reported at top level and nested, with a suggestion', () => {
    const found = problems(`${base}backup_idd: x\nbackup:\n  segment_max_byte: 1MiB\n  zzz: 1\n`);
    assert.deepEqual(found.sort(), [
      'backup.segment_max_byte: unknown key (did you mean segment_max_bytes?)',
      'backup.zzz: unknown key',
      'backup_idd: unknown key (did you mean backup_id?)',
    ]);
  });

  test('an unknown key inside storage is suggested from the chosen backend', () => {
    assert.deepEqual(problems('backup_id: b\nstorage: { backend: filesystem, pth: d }\n'), [
      'storage.path: required',
      'storage.pth: unknown key (did you mean path?)',
    ]);
  });

  test('an unknown kafka_config property lists the supported ones', () => {
    const found = problems(`${base}source:\n  bootstrap_servers: k:9092\n  kafka_config:\n    "fetch.max.byte": 5\n`);
    assert.equal(found.length, 1);
    assert.match(found[0]!, /^source\.kafka_config\["fetch\.max\.byte"\]: unknown property \(did you mean fetch\.max\.bytes\?\)/);
    assert.match(found[0]!, /supported: client\.id, request\.timeout\.ms, .*max\.in\.flight\.requests\.per\.connection$/);
  });

  test('wrong types name the path and the value', () => {
    const found = problems(`${base}backup:\n  max_concurrent_partitions: many\n  compression: gzip\nrestore:\n  create_topics: 1\n`);
    assert.deepEqual(found, [
      'backup.compression: expected "zstd" | "lz4" | "none", got "gzip"',
      'backup.max_concurrent_partitions: expected a number, got "many"',
      'restore.create_topics: expected true or false, got 1',
    ]);
  });

  test('ranges and integers are checked', () => {
    const found = problems(`${base}backup:\n  max_concurrent_partitions: 0\n  checkpoint_interval_secs: 1.5\n  compression_level: 23\n`);
    assert.ok(found.includes('backup.max_concurrent_partitions: must be at least 1'), found.join('\n'));
    assert.ok(found.includes('backup.checkpoint_interval_secs: expected an integer, got 1.5'), found.join('\n'));
    assert.ok(found.includes('backup.compression_level: must be at most 22'), found.join('\n'));
  });

  test('missing required keys and an unknown storage backend', () => {
    assert.deepEqual(problems('storage:\n  backend: tape\n  bucket: b\n'), [
      'backup_id: required',
      'storage.backend: unknown backend "tape" (expected filesystem, s3, azure, gcs)',
    ]);
    assert.deepEqual(problems('backup_id: a\nstorage: { path: d }\n'), ['storage.backend: required (expected filesystem, s3, azure, gcs)']);
  });

  test('backup_id must be a safe path segment', () => {
    const found = problems('backup_id: ../etc\nstorage: { backend: filesystem, path: d }\n');
    assert.equal(found.length, 1);
    assert.match(found[0]!, /^backup_id: "\.\.\/etc" is not a valid backup id/);
  });

  test('every problem is reported together, across sections', () => {
    const found = problems(`backup_id: ok
source:
  bootstrap_servers: "a:9092, b:99999"
  topics: { include: ["~[", orders] }
  kafka_config: { acks: 0 }
storage: { backend: filesystem, path: d, max_concurrency: -1 }
backup: { block_max_bytes: 3 furlongs }
restore: { topic_mapping: { "bad name": x } }
`);
    assert.deepEqual(found, [
      'source.bootstrap_servers[1]: "b:99999": port must be between 1 and 65535',
      'source.topics.include[0]: invalid regular expression: /[/: Unterminated character class',
      'source.kafka_config.acks: a producer property, which has no effect on the source: the backup does not produce',
      'storage.max_concurrency: must be at least 0',
      'backup.block_max_bytes: "3 furlongs" is not a byte size (write an integer or e.g. "512KiB", "64MB", "1GiB")',
      'restore.topic_mapping["bad name"]: invalid key: "bad name" is not a valid topic name (1-249 of a-z A-Z 0-9 . _ -, not "." or "..")',
    ]);
  });
});

describe('parseConfig: defaults and normalization', () => {
  test('defaults are applied everywhere', () => {
    const config = parse(`${base}source:\n  bootstrap_servers: [k:9092]\n`);
    assert.equal(config.mode, undefined);
    assert.equal(config.target, undefined);
    assert.deepEqual(config.storage, { backend: 'filesystem', path: '/srv/kb/data', permissions: 'private', max_concurrency: 16 });
    assert.deepEqual(config.backup, {
      mode: 'snapshot',
      compression: 'zstd',
      compression_level: 3,
      segment_max_bytes: 134217728,
      segment_max_interval_ms: 60000,
      block_max_bytes: 1048576,
      max_concurrent_partitions: 4,
      checkpoint_interval_secs: 30,
      poll_interval_ms: 1000,
      consumer_groups: [],
      consumer_groups_interval_secs: 60,
    });
    assert.deepEqual(config.restore, {
      topics: { include: [], exclude: [] },
      topic_mapping: {},
      produce_batch_size: 1000,
      max_concurrent_partitions: 4,
      create_topics: true,
      topic_configs: true,
      config_overrides: {},
      keyless_records: 'fail',
      allow_append: false,
      checkpoint_interval_secs: 10,
      consumer_groups: [],
      consumer_group_mapping: {},
      rate_limit_records_per_sec: null,
      rate_limit_bytes_per_sec: null,
      provenance_headers: false,
    });
    const src = config.source!;
    assert.equal(src.client_id, 'kafka-backup');
    assert.deepEqual(src.security, { security_protocol: 'PLAINTEXT', ssl_reject_unauthorized: true });
    assert.deepEqual(src.topics, { include: [], exclude: [] });
    assert.deepEqual(src.kafka_config, {
      'request.timeout.ms': 30000,
      'socket.connection.setup.timeout.ms': 10000,
      'metadata.max.age.ms': 300000,
      'fetch.max.bytes': 52428800,
      'max.partition.fetch.bytes': 8388608,
      'fetch.max.wait.ms': 500,
      'fetch.min.bytes': 1,
      retries: 5,
      'retry.backoff.ms': 200,
      'max.in.flight.requests.per.connection': 5,
    });
  });

  test('bootstrap_servers accepts a comma-separated string, IPv6 and lists', () => {
    const config = parse(`${base}source:\n  bootstrap_servers: " a:9092,b.example:9093 , [::1]:9094"\n`);
    assert.deepEqual(config.source!.bootstrap_servers, ['a:9092', 'b.example:9093', '[::1]:9094']);
    assert.deepEqual(problems(`${base}source:\n  bootstrap_servers: []\n`), [
      'source.bootstrap_servers: must name at least one broker',
    ]);
    assert.deepEqual(problems(`${base}source:\n  bootstrap_servers: [localhost]\n`), [
      'source.bootstrap_servers[0]: "localhost" is not a "host:port" broker address',
    ]);
  });

  test('relative paths resolve against the config file directory; absolute ones stay', () => {
    const config = parse(`backup_id: b
storage: { backend: filesystem, path: ../shared/backups }
target:
  bootstrap_servers: k:9093
  security:
    security_protocol: SSL
    ssl_ca_location: certs/ca.pem
    ssl_certificate_location: /etc/tls/client.pem
    ssl_key_location: ./client.key
`);
    assert.equal(config.storage.backend === 'filesystem' && config.storage.path, '/srv/shared/backups');
    const security = config.target!.security;
    assert.equal(security.ssl_ca_location, '/srv/kb/certs/ca.pem');
    assert.equal(security.ssl_certificate_location, '/etc/tls/client.pem');
    assert.equal(security.ssl_key_location, '/srv/kb/client.key');
  });

  test('SCRAM spellings are normalized and kafka_config client.id overrides client_id', () => {
    const config = parse(`${base}source:
  bootstrap_servers: k:9092
  client_id: ignored
  kafka_config: { "client.id": wins }
  security: { security_protocol: SASL_PLAINTEXT, sasl_mechanism: SCRAM-SHA256, sasl_username: u, sasl_password: p }
`);
    assert.equal(config.source!.security.sasl_mechanism, 'SCRAM-SHA-256');
    assert.equal(config.source!.client_id, 'wins');
  });
});

describe('loadConfig', () => {
  test('reads a file, resolving paths against its directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kb-config-'));
    try {
      const file = join(dir, 'c.yaml');
      await writeFile(file, 'backup_id: b\nstorage: { backend: filesystem, path: "${DIR:-out}" }\n');
      const config = await loadConfig(file, { env: {} });
      assert.deepEqual(config.storage, { backend: 'filesystem', path: join(dir, 'out'), permissions: 'private', max_concurrency: 16 });
      const fromEnv = await loadConfig(file, { env: { DIR: '/abs' } });
      assert.equal(fromEnv.storage.backend === 'filesystem' && fromEnv.storage.path, '/abs');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a missing file is a ConfigError naming the file', async () => {
    const file = join(tmpdir(), 'kb-config-does-not-exist.yaml');
    await assert.rejects(loadConfig(file), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.problems, [`${file}: file not found`]);
      assert.match(err.message, new RegExp(`invalid config ${file}`));
      return true;
    });
  });

  test('invalid contents are reported with the file name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kb-config-'));
    try {
      const file = join(dir, 'bad.yaml');
      await writeFile(file, 'backup_id: b\n');
      await assert.rejects(loadConfig(file), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.details.file, file);
        assert.deepEqual(err.problems, ['storage: required']);
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('loadConfig: whatever the file holds is a CONFIG_INVALID naming it', () => {
  /** The problems loadConfig reports for a file with these bytes (or at this path). */
  async function fileProblems(contents: string | Uint8Array | undefined, name = 'c.yaml', path?: string): Promise<{ file: string; problems: string[]; ms: number }> {
    const dir = await mkdtemp(join(tmpdir(), 'kb-config-'));
    const file = path ?? join(dir, name);
    try {
      if (contents !== undefined) await writeFile(file, contents);
      const t0 = Date.now();
      let found: string[] = [];
      await assert.rejects(loadConfig(file), (err: unknown) => {
        assert.ok(err instanceof ConfigError, `a ConfigError, not ${String(err)}`);
        assert.equal(err.code, 'CONFIG_INVALID');
        found = err.problems;
        return true;
      });
      return { file, problems: found, ms: Date.now() - t0 };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  test('a YAML alias bomb ("billion laughs") is refused at once', async () => {
    let text = 'a: &a [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i <= 12; i++) text += `l${i}: &l${i} [${Array.from({ length: 10 }, () => `*${i === 1 ? 'a' : `l${i - 1}`}`).join(', ')}]\n`;
    const { problems: found, ms } = await fileProblems(text);
    assert.deepEqual(found, ['(root): YAML aliases expand to too much data (at most 100 nodes per alias): not a config file, or an alias "bomb"']);
    assert.ok(ms < 5000, `took ${ms} ms`);
  });

  test('flow collections nested thousands deep are refused before the parser spends memory on them', async () => {
    const { problems: found, ms } = await fileProblems(`backup_id: ${'['.repeat(400_000)}${']'.repeat(400_000)}\n`);
    assert.deepEqual(found, ['line 1: flow collections ([ ] and { }) are nested more than 64 deep']);
    assert.ok(ms < 5000, `took ${ms} ms`);
  });

  test('a file larger than 1 MiB, or an endless one, is refused without reading it all', async () => {
    const big = await fileProblems(`backup_id: b\n${'# padding\n'.repeat(120_000)}`);
    assert.deepEqual(big.problems, [`${big.file}: larger than 1024 KiB: not a config file`]);
    const endless = await fileProblems(undefined, '', '/dev/zero');
    assert.deepEqual(endless.problems, ['/dev/zero: larger than 1024 KiB: not a config file']);
  });

  test('UTF-16 and other non-UTF-8 text is named as such, with the line', async () => {
    const utf16 = await fileProblems(Buffer.from('\ufeffbackup_id: b\n', 'utf16le'));
    assert.deepEqual(utf16.problems, [`${utf16.file}: is UTF-16 text: save it as UTF-8`]);
    const latin1 = await fileProblems(Buffer.from('backup_id: b\nstorage: { backend: filesystem, path: caf\xe9 }\n', 'latin1'));
    assert.deepEqual(latin1.problems, [`${latin1.file}: is not UTF-8 text (line 2 holds a byte sequence that is not UTF-8): save it as UTF-8`]);
  });

  test('a UTF-8 byte order mark is accepted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kb-config-'));
    try {
      const file = join(dir, 'bom.yaml');
      await writeFile(file, '\ufeffbackup_id: b\nstorage: { backend: filesystem, path: d }\n');
      assert.equal((await loadConfig(file)).backup_id, 'b');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('an empty file name', async () => {
    await assert.rejects(loadConfig(''), (err: unknown) => err instanceof ConfigError && err.problems[0] === 'the config file name is empty');
  });

  test('an empty file, a directory, and a path through a file', async () => {
    assert.deepEqual((await fileProblems('')).problems, ['(root): the config file is empty']);
    const dir = await mkdtemp(join(tmpdir(), 'kb-config-'));
    try {
      assert.deepEqual((await fileProblems(undefined, '', dir)).problems, [`${dir}: is a directory, not a file`]);
      await writeFile(join(dir, 'plain'), 'x');
      const through = join(dir, 'plain', 'c.yaml');
      assert.deepEqual((await fileProblems(undefined, '', through)).problems, [`${through}: not found (a part of the path is a file, not a directory)`]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('names that become storage paths follow the storage format', () => {
  test('backup_id: the format rule, up to 255 characters', () => {
    assert.equal(parse(`backup_id: ${'b'.repeat(255)}\nstorage: { backend: filesystem, path: d }\n`).backup_id.length, 255);
    assert.deepEqual(problems(`backup_id: ${'b'.repeat(256)}\nstorage: { backend: filesystem, path: d }\n`), [
      `backup_id: "${'b'.repeat(256)}" is not a valid backup id (a letter or digit, then up to 254 of A-Z a-z 0-9 . _ -)`,
    ]);
  });

  test('topic names "." and "..", which Kafka refuses, are refused in topic_mapping', () => {
    assert.deepEqual(problems(`${base}restore:\n  topic_mapping: { orders: "..", payments: "." }\n`), [
      'restore.topic_mapping.orders: ".." is not a valid topic name (1-249 of a-z A-Z 0-9 . _ -, not "." or "..")',
      'restore.topic_mapping.payments: "." is not a valid topic name (1-249 of a-z A-Z 0-9 . _ -, not "." or "..")',
    ]);
  });
});

test('a storage endpoint is an http or https URL', () => {
  assert.deepEqual(problems('backup_id: b\nstorage: { backend: s3, bucket: bkt, endpoint: "ftp://minio:9000" }\n'), ['storage.endpoint: must be an http:// or https:// URL, not ftp:']);
  assert.equal(parse('backup_id: b\nstorage: { backend: gcs, bucket: bkt, endpoint: "https://storage.example:4443" }\n').storage.backend, 'gcs');
});
