// Every config key has an effect a test shows, or is exempt for a stated reason (issue 8, item 4).
// The schema is walked key by key (each storage backend on its own, source and target apart since
// each side uses its keys differently); each key must be in `registry` with the tests that fail
// when the key is ignored, named by file and test title and checked against the file's text. A new
// key without an entry fails here; so does an entry whose key or test no longer exists.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { configSchema } from '../../src/config/schema.js';
import { describeKey } from '../../src/config/schema-walk.js';

// Compiled to dist/test/config/, so the repository root is three levels up.
const repoRoot = new URL('../../../', import.meta.url);

type Evidence = { tests: readonly (readonly [file: string, title: string])[] } | { exempt: string };

/** Paths of every key: `a.b`, `kafka_config["x.y"]`, `storage(s3).bucket`, `*` for a mapping's entries. */
function schemaKeyPaths(schema: z.ZodType = configSchema, prefix = ''): string[] {
  let inner = describeKey(schema).schema;
  while (inner instanceof z.ZodPipe) inner = describeKey(inner.in as z.ZodType).schema;
  const join = (key: string) => (/^[a-z_]+$/.test(key) ? `${prefix}${prefix ? '.' : ''}${key}` : `${prefix}["${key}"]`);
  if (inner instanceof z.ZodObject) {
    return Object.entries(inner.shape).flatMap(([key, value]) => {
      const path = join(key);
      const nested = schemaKeyPaths(value as z.ZodType, path);
      // A section (a mapping of keys) is covered by its keys; anything else is a key.
      return isSection(value as z.ZodType) ? nested : [path, ...nested];
    });
  }
  if (inner instanceof z.ZodDiscriminatedUnion) {
    const tag = inner.def.discriminator;
    return (inner.options as z.ZodObject[]).flatMap((option) => {
      const literal = option.shape[tag] as z.ZodLiteral;
      return schemaKeyPaths(option, `${prefix}(${[...literal.values].join('')})`);
    });
  }
  if (inner instanceof z.ZodRecord) return schemaKeyPaths(inner.valueType as z.ZodType, `${prefix}.*`);
  return [];
}

function isSection(schema: z.ZodType): boolean {
  const inner = describeKey(schema).schema;
  return inner instanceof z.ZodObject || inner instanceof z.ZodDiscriminatedUnion;
}

// Test files, by what they exercise.
const BACKUP = 'test/pipeline/backup-settings.test.ts';
const RESTORE = 'test/pipeline/restore-settings.test.ts';
const RULES = 'test/config/rules.test.ts';
const KAFKA_UNIT = 'test/kafka/kafkajs/connection-settings.test.ts';
const KAFKA_BROKER = 'test/integration/kafka-settings.test.ts';
const SECURITY = 'test/integration/security.test.ts';
const SECURITY_FAILURES = 'test/integration/security-failures.test.ts';
const PREFLIGHT = 'test/pipeline/restore-preflight.test.ts';
const ROUNDTRIP_STORES = 'test/integration/roundtrip-object-stores.test.ts';
const S3_SETTINGS = 'test/storage/s3/settings.test.ts';
const AZURE_CREDENTIALS = 'test/storage/azure/credentials.test.ts';

const securedRoundTrip = [SECURITY, 'records restored equal the source (kcat)'] as const;
const kafkajsConfig = [KAFKA_UNIT, 'client id, connection and request timeouts, retries and backoff reach kafkajs'] as const;

/** The evidence for a `security` key; the secured round trip uses one connection for both sides. */
function securityKey(key: string): Evidence {
  const specific: Record<string, (readonly [string, string])[]> = {
    security_protocol: [[SECURITY_FAILURES, 'a SASL client on the PLAINTEXT listener: KAFKA_AUTH pointing at security_protocol']],
    sasl_mechanism: [[KAFKA_UNIT, 'the SASL mechanism, user name and password reach kafkajs']],
    sasl_username: [[KAFKA_UNIT, 'the SASL mechanism, user name and password reach kafkajs']],
    sasl_password: [[SECURITY_FAILURES, 'exit 1, KAFKA_AUTH with a SASL credentials hint, password not shown']],
    ssl_ca_location: [[SECURITY_FAILURES, 'the wrong CA (ssl_ca_location of an unrelated CA): the same not-trusted error']],
    ssl_certificate_location: [[SECURITY_FAILURES, 'mutual TLS listener without a client certificate: the hint names the client certificate keys']],
    ssl_key_location: [[SECURITY_FAILURES, 'a key that does not belong to the certificate, and a missing CA file: CONFIG_INVALID naming the files']],
    ssl_key_password: [[SECURITY_FAILURES, 'wrong ssl_key_password: CONFIG_INVALID (exit 2) before connecting, passphrase not shown']],
    ssl_reject_unauthorized: [[KAFKA_BROKER, 'security.ssl_reject_unauthorized false connects to a broker whose certificate no trusted CA signed; true refuses it']],
  };
  return { tests: [securedRoundTrip, ...(specific[key] ?? [])] };
}

const securityKeys = [
  'security_protocol',
  'sasl_mechanism',
  'sasl_username',
  'sasl_password',
  'ssl_ca_location',
  'ssl_certificate_location',
  'ssl_key_location',
  'ssl_key_password',
  'ssl_reject_unauthorized',
];

/** kafka_config keys both sides use. */
function sharedKafkaKeys(side: 'source' | 'target'): Record<string, Evidence> {
  const retries: Evidence =
    side === 'source'
      ? { tests: [kafkajsConfig, [KAFKA_UNIT, 'retries and retry.backoff.ms: a failed fetch is tried 1 + retries times, waiting about the backoff, doubling']] }
      : { tests: [kafkajsConfig, [RESTORE, 'retries: a retriable produce failure is retried that many times before the restore fails']] };
  const backoff: Evidence =
    side === 'source'
      ? { tests: [kafkajsConfig, [KAFKA_UNIT, 'retries and retry.backoff.ms: a failed fetch is tried 1 + retries times, waiting about the backoff, doubling']] }
      : { tests: [kafkajsConfig, [RESTORE, 'retry.backoff.ms: the first retry of a failed produce waits that long']] };
  const requestTimeout: Evidence =
    side === 'source'
      ? { tests: [kafkajsConfig, [KAFKA_UNIT, 'fetch.min.bytes, fetch.max.bytes and max.partition.fetch.bytes are sent; request.timeout.ms bounds the answer on top of the wait']] }
      : { tests: [kafkajsConfig, [KAFKA_UNIT, 'every Produce asks for acks all (-1); request.timeout.ms bounds the answer on top of the produce timeout']] };
  return {
    [`${side}.kafka_config["client.id"]`]: {
      tests: [kafkajsConfig, [KAFKA_BROKER, 'metadata.max.age.ms reaches the admin client: it refreshes cluster metadata only once it is that old']],
    },
    [`${side}.kafka_config["request.timeout.ms"]`]: requestTimeout,
    [`${side}.kafka_config["socket.connection.setup.timeout.ms"]`]: { tests: [kafkajsConfig] },
    [`${side}.kafka_config["metadata.max.age.ms"]`]: {
      tests: [
        [KAFKA_BROKER, 'metadata.max.age.ms reaches the admin client: it refreshes cluster metadata only once it is that old'],
        [KAFKA_BROKER, 'metadata.max.age.ms reaches the data plane: a leader look-up refreshes metadata once it is that old'],
      ],
    },
    [`${side}.kafka_config.retries`]: retries,
    [`${side}.kafka_config["retry.backoff.ms"]`]: backoff,
  };
}

const refusedOnTarget: Evidence = { tests: [[RULES, 'fetch settings are refused on the target, each named with the reason']] };
const fetchSizes = [KAFKA_BROKER, 'max.partition.fetch.bytes and fetch.max.bytes bound what one Fetch returns'] as const;
const fetchRequest = [KAFKA_UNIT, 'fetch.min.bytes, fetch.max.bytes and max.partition.fetch.bytes are sent; request.timeout.ms bounds the answer on top of the wait'] as const;
const fetchWait = [KAFKA_BROKER, 'fetch.min.bytes makes the broker hold a Fetch for up to fetch.max.wait.ms'] as const;

function connection(side: 'source' | 'target'): Record<string, Evidence> {
  const keys: Record<string, Evidence> = {
    [`${side}.bootstrap_servers`]: { tests: [['test/integration/bad-input-config.test.ts', 'a refused connection fails within seconds naming the address']] },
    [`${side}.client_id`]: { tests: [kafkajsConfig] },
    ...Object.fromEntries(securityKeys.map((k) => [`${side}.security.${k}`, securityKey(k)])),
    ...sharedKafkaKeys(side),
  };
  if (side === 'source') {
    Object.assign(keys, {
      'source.topics.include': { tests: [[BACKUP, 'include and exclude choose the topics backed up']] },
      'source.topics.exclude': { tests: [[BACKUP, 'include and exclude choose the topics backed up']] },
      'source.kafka_config["fetch.max.bytes"]': { tests: [fetchSizes, fetchRequest] },
      'source.kafka_config["max.partition.fetch.bytes"]': { tests: [fetchSizes, fetchRequest] },
      'source.kafka_config["fetch.min.bytes"]': { tests: [fetchWait, fetchRequest] },
      'source.kafka_config["fetch.max.wait.ms"]': { tests: [fetchWait, [BACKUP, 'kafka_config fetch.max.wait.ms: every fetch lets the broker hold it that long']] },
      'source.kafka_config["max.in.flight.requests.per.connection"]': {
        tests: [[RULES, 'max.in.flight.requests.per.connection is refused on the source']],
      },
    } satisfies Record<string, Evidence>);
  } else {
    const refusedTopics: Evidence = { tests: [[RULES, 'target.topics is refused, pointing at restore.topics; source.topics is accepted']] };
    Object.assign(keys, {
      'target.topics.include': refusedTopics,
      'target.topics.exclude': refusedTopics,
      'target.kafka_config["fetch.max.bytes"]': refusedOnTarget,
      'target.kafka_config["max.partition.fetch.bytes"]': refusedOnTarget,
      'target.kafka_config["fetch.min.bytes"]': refusedOnTarget,
      'target.kafka_config["fetch.max.wait.ms"]': refusedOnTarget,
      'target.kafka_config["max.in.flight.requests.per.connection"]': {
        tests: [
          [RESTORE, 'max.in.flight.requests.per.connection: at most that many produces await their answer per partition'],
          [KAFKA_UNIT, 'max.in.flight.requests.per.connection: at most that many Produce requests await their answer per broker'],
        ],
      },
    } satisfies Record<string, Evidence>);
  }
  return keys;
}

const semaphore = ['test/integration/storage-semaphore.test.ts', 'backup and restore in one process never exceed the storage concurrency limit together'] as const;
const storesRoundTrip = [ROUNDTRIP_STORES, 'backup, status, verify, validate-restore and restore, byte-exact'] as const;
const azureStreamed = [
  'test/storage/azure/specifics.test.ts',
  'streamed uploads: a small object is one Put Blob; a large one is block_size blocks, max_concurrent_uploads at a time, and one commit',
] as const;

const registry: Record<string, Evidence> = {
  mode: {
    tests: [
      ['test/config/sections.test.ts', 'checkMode refuses a file written for the other command'],
      [RULES, 'a declared mode refuses the sections only the other command reads'],
    ],
  },
  backup_id: { tests: [['test/integration/bad-input-config.test.ts', 'restore, validate-restore, status and verify name the id and the location']] },
  ...connection('source'),
  ...connection('target'),

  'storage(filesystem).backend': { tests: [['test/storage/index.test.ts', 'openStorage: a filesystem backend behind the process-wide semaphore, capabilities forwarded']] },
  'storage(filesystem).path': {
    tests: [
      ['test/storage/filesystem/backend.test.ts', 'location is file:// plus the absolute root, which the first write creates'],
      ['test/config/load.test.ts', 'relative paths resolve against the config file directory; absolute ones stay'],
    ],
  },
  'storage(filesystem).max_concurrency': { tests: [semaphore] },
  'storage(filesystem).permissions': {
    tests: [['test/storage/filesystem/permissions.test.ts', 'the config key storage.permissions reaches the backend (default private, group when set)']],
  },

  'storage(s3).backend': { tests: [storesRoundTrip] },
  'storage(s3).bucket': { tests: [['test/storage/s3/errors.test.ts', 'a missing bucket: STORAGE_NOT_FOUND saying the bucket does not exist, also for head()']] },
  'storage(s3).region': { tests: [['test/storage/s3/errors.test.ts', 'region: as configured, us-east-1 with an endpoint, else the SDK chain']] },
  'storage(s3).prefix': { tests: [['test/storage/s3/specifics.test.ts', 'kind and location; the config prefix is joined with one slash and stripped in listings']] },
  'storage(s3).endpoint': { tests: [['test/storage/s3/errors.test.ts', 'an unreachable endpoint: retryable STORAGE_IO'], storesRoundTrip] },
  'storage(s3).path_style': { tests: [[S3_SETTINGS, 'path_style: the bucket goes in the path, or (false) in the host name']] },
  'storage(s3).access_key_id': { tests: [['test/storage/s3/errors.test.ts', 'wrong credentials: STORAGE_PERMISSION naming s3, the bucket and the keys to check']] },
  'storage(s3).secret_access_key': { tests: [['test/storage/s3/errors.test.ts', 'wrong credentials: STORAGE_PERMISSION naming s3, the bucket and the keys to check']] },
  'storage(s3).session_token': { tests: [[S3_SETTINGS, 'session_token: every signed request carries it (temporary credentials)']] },
  'storage(s3).server_side_encryption': {
    tests: [
      ['test/storage/s3/wire.test.ts', 'put: encryption headers; CRC32 checksum only with request_checksum when_supported'],
      ['test/storage/s3/wire.test.ts', 'MinIO without a KMS refuses an encrypted put: the header reached the server'],
    ],
  },
  'storage(s3).sse_kms_key_id': { tests: [['test/storage/s3/wire.test.ts', 'put: encryption headers; CRC32 checksum only with request_checksum when_supported']] },
  'storage(s3).multipart_threshold': {
    tests: [['test/storage/s3/specifics.test.ts', 'multipart_threshold decides: up to it one PutObject, past it parts of multipart_part_size']],
  },
  'storage(s3).multipart_part_size': {
    tests: [['test/storage/s3/specifics.test.ts', 'multipart_threshold decides: up to it one PutObject, past it parts of multipart_part_size']],
  },
  'storage(s3).max_concurrent_uploads': { tests: [[S3_SETTINGS, 'max_concurrent_uploads: at most that many parts of one upload are in flight']] },
  'storage(s3).request_checksum': { tests: [['test/storage/s3/wire.test.ts', 'put: encryption headers; CRC32 checksum only with request_checksum when_supported']] },
  'storage(s3).max_concurrency': {
    tests: [['test/storage/s3/pool.test.ts', '50 gets at once without the semaphore: the pool alone caps the connections']],
  },

  'storage(azure).backend': { tests: [storesRoundTrip] },
  'storage(azure).container': { tests: [[AZURE_CREDENTIALS, 'a missing container: STORAGE_NOT_FOUND saying the container does not exist, for every call']] },
  'storage(azure).prefix': {
    tests: [['test/storage/azure/specifics.test.ts', 'the config prefix is prepended to blob names and stripped from listings; location names it']],
  },
  'storage(azure).account_name': { tests: [[AZURE_CREDENTIALS, 'config: endpoint defaults from account_name; conflicting or missing keys are CONFIG_INVALID']] },
  'storage(azure).account_key': {
    tests: [
      [AZURE_CREDENTIALS, 'connection_string, account_key (account from the endpoint) and sas_token all sign requests'],
      [AZURE_CREDENTIALS, 'a wrong account key: STORAGE_PERMISSION naming Azure, the container and the keys to check'],
    ],
  },
  'storage(azure).sas_token': {
    tests: [
      [AZURE_CREDENTIALS, 'connection_string, account_key (account from the endpoint) and sas_token all sign requests'],
      [AZURE_CREDENTIALS, 'a read-only SAS: reads work, a write is STORAGE_PERMISSION'],
    ],
  },
  'storage(azure).connection_string': { tests: [[AZURE_CREDENTIALS, 'connection_string, account_key (account from the endpoint) and sas_token all sign requests']] },
  'storage(azure).endpoint': { tests: [[AZURE_CREDENTIALS, 'config: endpoint defaults from account_name; conflicting or missing keys are CONFIG_INVALID']] },
  'storage(azure).block_size': { tests: [azureStreamed] },
  'storage(azure).max_concurrent_uploads': { tests: [azureStreamed] },
  'storage(azure).max_concurrency': {
    tests: [['test/storage/azure/pool.test.ts', 'without a semaphore, the agent alone caps the wire at max_concurrency (3)']],
  },

  'storage(gcs).backend': { tests: [storesRoundTrip] },
  'storage(gcs).bucket': {
    tests: [['test/storage/gcs/specifics.test.ts', 'every call fails with STORAGE_NOT_FOUND naming gcs and the bucket; head does not answer "absent"']],
  },
  'storage(gcs).prefix': {
    tests: [['test/storage/gcs/specifics.test.ts', 'keys live under "<prefix>/" with or without a trailing slash; list strips it; location is gs://bucket/prefix']],
  },
  'storage(gcs).key_file': {
    tests: [['test/storage/gcs/specifics.test.ts', 'credentials refused by the token service: STORAGE_PERMISSION naming gcs, the bucket and key_file']],
  },
  'storage(gcs).endpoint': { tests: [storesRoundTrip] },
  'storage(gcs).chunk_size': {
    tests: [['test/storage/gcs/writer.test.ts', '40 MiB streamed with 256 KiB chunks: memory stays bounded (RSS, and buffers alive after GC)']],
  },
  'storage(gcs).max_concurrency': {
    tests: [['test/storage/gcs/pool.test.ts', 'without the semaphore the pool itself caps connections at max_concurrency 3, on every request path']],
  },

  'backup.mode': { tests: [[BACKUP, 'mode: snapshot stops at the end offsets seen at start; continuous goes on with records written later']] },
  'backup.compression': { tests: [[BACKUP, 'compression: segments are written with the configured codec']] },
  'backup.compression_level': { tests: [[BACKUP, 'compression_level: zstd blocks are written at the configured level']] },
  'backup.segment_max_bytes': { tests: [[BACKUP, 'segment_max_bytes: a partition rolls to a new segment once that many bytes are written']] },
  'backup.segment_max_interval_ms': {
    tests: [[BACKUP, 'segment_max_interval_ms: a continuous backup stores an open segment once it is that old, while still running']],
  },
  'backup.block_max_bytes': { tests: [[BACKUP, 'block_max_bytes: each segment holds one compressed block per block_max_bytes of batches']] },
  'backup.max_concurrent_partitions': { tests: [[BACKUP, 'max_concurrent_partitions: at most that many partitions fetch at once']] },
  'backup.checkpoint_interval_secs': {
    tests: [[BACKUP, 'checkpoint_interval_secs: the descriptor heartbeat is refreshed that often, and recorded as the interval']],
  },
  'backup.poll_interval_ms': { tests: [[BACKUP, 'poll_interval_ms: a caught-up partition in continuous mode fetches again after that long']] },
  'backup.consumer_groups': {
    tests: [['test/integration/consumer-group-offsets.test.ts', 'plain topic: captured, translated, committed; a mapped group; offsets plan after the restore']],
  },
  'backup.consumer_groups_interval_secs': {
    tests: [
      [
        'test/integration/consumer-group-offsets.test.ts',
        'a window end picks the capture taken at or before it; continuous backups capture again when offsets change',
      ],
    ],
  },

  'restore.topics.include': { tests: [[RESTORE, 'topics and topic_mapping: only the selected topics are restored, under their mapped names']] },
  'restore.topics.exclude': { tests: [[RESTORE, 'topics and topic_mapping: only the selected topics are restored, under their mapped names']] },
  'restore.topic_mapping': { tests: [[RESTORE, 'topics and topic_mapping: only the selected topics are restored, under their mapped names']] },
  'restore.produce_batch_size': { tests: [[RESTORE, 'produce_batch_size: no produced batch holds more records than that']] },
  'restore.max_concurrent_partitions': { tests: [[RESTORE, 'max_concurrent_partitions: at most that many partitions are restored at once']] },
  'restore.create_topics': { tests: [[RESTORE, 'create_topics: a missing target topic is created, or with false the restore stops naming it']] },
  'restore.topic_configs': { tests: [[PREFLIGHT, 'topic_configs false: broker defaults, only the overrides']] },
  'restore.config_overrides': {
    tests: [
      ['test/integration/topic-configs.test.ts', 'config_overrides apply on top of the captured configs'],
      [PREFLIGHT, 'a missing topic is created with the captured partitions, replication factor and configs plus overrides'],
    ],
  },
  'restore.replication_factor': { tests: [[PREFLIGHT, 'restore.replication_factor wins over the capture, and above the broker count is a problem']] },
  'restore.keyless_records': {
    tests: [
      [
        'test/integration/restore-target-limits.test.ts',
        'compacted target: keyless records counted by the dry run; fail stops the restore, skip restores exactly the keyed ones',
      ],
    ],
  },
  'restore.allow_append': {
    tests: [['test/integration/bad-input-data.test.ts', 'a restore into partitions that hold data is refused unless restore.allow_append']],
  },
  'restore.checkpoint_interval_secs': { tests: [[RESTORE, 'checkpoint_interval_secs: a running restore saves the partition state that often']] },
  'restore.consumer_groups': {
    tests: [['test/integration/consumer-group-offsets.test.ts', 'plain topic: captured, translated, committed; a mapped group; offsets plan after the restore']],
  },
  'restore.consumer_group_mapping': {
    tests: [
      ['test/integration/consumer-group-offsets.test.ts', 'plain topic: captured, translated, committed; a mapped group; offsets plan after the restore'],
      ['test/pipeline/offsets-plan.test.ts', 'group mapping, a target group claimed twice, and no capture as of the window end'],
    ],
  },
  'restore.rate_limit_records_per_sec': {
    tests: [['test/integration/restore-rate-limit.test.ts', 'rate_limit_records_per_sec 10000: every second and the whole run within the limit, and close to it']],
  },
  'restore.rate_limit_bytes_per_sec': { tests: [[RESTORE, 'rate_limit_bytes_per_sec: the bytes produced per second stay within the limit']] },
  ...Object.fromEntries(
    ['time_window_start', 'time_window_end', 'start_offset', 'end_offset', 'partition_offsets', 'partition_offsets.*.*.start_offset', 'partition_offsets.*.*.end_offset'].map(
      (key) => [
        `restore.${key}`,
        { tests: [['test/integration/restore-point-in-time.test.ts', 'restores exactly the records in the window and offset range; validate-restore counts them']] },
      ],
    ),
  ),
  'restore.provenance_headers': {
    tests: [
      ['test/integration/restore-provenance.test.ts', 'every record is its source record plus topic, partition, offset and timestamp headers'],
      ['test/pipeline/produce-batcher-provenance.test.ts', 'off (the default): records pass through byte for byte, no header added'],
    ],
  },
};

/** Test titles in a file's text: the first argument of every test()/it() call, as written. */
function testTitles(file: string): string[] {
  const text = readFileSync(new URL(file, repoRoot), 'utf8');
  return [...text.matchAll(/\b(?:test|it)\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g)].map((m) => m[2]!.replace(/\\(.)/g, '$1'));
}

describe('every config key has an effect a test shows', () => {
  const keys = schemaKeyPaths();

  test('the walk finds the keys of every section, each backend and both Kafka sides', () => {
    for (const key of ['backup_id', 'source.kafka_config["fetch.max.bytes"]', 'target.security.sasl_password', 'storage(gcs).chunk_size', 'restore.partition_offsets.*.*.end_offset']) {
      assert.ok(keys.includes(key), key);
    }
    assert.equal(new Set(keys).size, keys.length);
  });

  test('every key in the schema has an entry, and every entry names a key of the schema', () => {
    const missing = keys.filter((k) => !Object.hasOwn(registry, k));
    const stale = Object.keys(registry).filter((k) => !keys.includes(k));
    assert.deepEqual(missing, [], `keys without an effect test or exemption: add them to ${import.meta.url.replace(/.*\/dist\//, '')}`);
    assert.deepEqual(stale, [], 'entries for keys the schema no longer has');
  });

  test('every named test exists in its file; every exemption says why', () => {
    const titles = new Map<string, string[]>();
    const problems: string[] = [];
    for (const [key, evidence] of Object.entries(registry)) {
      if ('exempt' in evidence) {
        if (evidence.exempt.trim().length < 20) problems.push(`${key}: an exemption needs its reason`);
        continue;
      }
      if (evidence.tests.length === 0) problems.push(`${key}: no test named`);
      for (const [file, title] of evidence.tests) {
        if (!titles.has(file)) titles.set(file, testTitles(file));
        // A title built with ${…} is matched by its literal part.
        if (!titles.get(file)!.some((t) => t.includes(title))) problems.push(`${key}: no test "${title}" in ${file}`);
      }
    }
    assert.deepEqual(problems, []);
  });
});
