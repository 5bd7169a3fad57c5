// Which Kafka client properties each side of a config honours, and why the others are refused.
// `source` serves the backup, which fetches (raw Fetch, read_committed); `target` serves the
// restore, which produces (raw Produce, idempotent); both also use an admin client and metadata.
// The two share one schema (schema-kafka.ts), so a schema key that only one side uses is refused
// on the other by a rule (rules.ts), and Java client properties kafka-backup does not take at all
// are refused with their reason (issues.ts) rather than as a bare "unknown property".

export type KafkaSide = 'source' | 'target';

const noFetchOnTarget = 'the restore does not fetch from Kafka (it reads the backup from storage); fetch settings belong in source.kafka_config';
const noProduceOnSource = 'the backup does not produce; this limits the restore\'s Produce requests and belongs in target.kafka_config';

/** Schema keys of kafka_config that only one side uses: the side, and why the other refuses it. */
export const oneSidedKafkaKeys: Readonly<Record<string, { side: KafkaSide; why: string }>> = {
  'fetch.max.bytes': { side: 'source', why: noFetchOnTarget },
  'max.partition.fetch.bytes': { side: 'source', why: noFetchOnTarget },
  'fetch.max.wait.ms': { side: 'source', why: noFetchOnTarget },
  'fetch.min.bytes': { side: 'source', why: noFetchOnTarget },
  'max.in.flight.requests.per.connection': { side: 'target', why: noProduceOnSource },
};

type Refusal =
  /** A producer property: on the source it has no effect; on the target, `why`. */
  | { kind: 'producer'; why: string }
  /** A consumer property: on the target it has no effect; on the source, `why`. */
  | { kind: 'consumer'; why: string }
  /** Refused on either side for `why`. */
  | { kind: 'connection'; why: string };

const producedAsBackedUp =
  'the restore produces the backed-up record batches as they are, compressed as their producer compressed them ' +
  '(small uncompressed ones merged up to restore.produce_batch_size records), not records one by one through a producer buffer';
const noConsumerGroup =
  'the backup reads every partition directly, without a consumer group: it starts at the log start, resumes from its ' +
  'manifests and commits no offsets';
const kafkaBackupKey = (key: string) => `kafka-backup's own key for this is ${key} in this section`;

/**
 * Java client properties users bring from other tools, which kafka-backup refuses with a reason.
 * Any other unknown property gets the list of supported ones.
 */
const refusedKafkaProperties: Readonly<Record<string, Refusal>> = {
  acks: {
    kind: 'producer',
    why:
      'not configurable: the restore always produces with acks all (-1): its producer is idempotent, which needs it, and a ' +
      'record the leader alone acknowledged could be lost in a leader change after the restore counted it as written',
  },
  'enable.idempotence': { kind: 'producer', why: 'not configurable: the restore\'s producer is always idempotent, so a retried or resumed restore writes nothing twice' },
  'transactional.id': { kind: 'producer', why: 'not supported: the restore writes with an idempotent producer, not in transactions' },
  'linger.ms': { kind: 'producer', why: `not applicable: ${producedAsBackedUp}` },
  'batch.size': { kind: 'producer', why: `not applicable: ${producedAsBackedUp}` },
  'buffer.memory': { kind: 'producer', why: `not applicable: ${producedAsBackedUp}; restore.max_concurrent_partitions bounds what is in memory` },
  'compression.type': { kind: 'producer', why: `not applicable: ${producedAsBackedUp}` },
  'max.request.size': { kind: 'producer', why: 'not configurable: the restore sizes produced batches to each target topic\'s max.message.bytes' },
  'delivery.timeout.ms': { kind: 'producer', why: 'not supported: a produce is bounded by request.timeout.ms, retries and retry.backoff.ms' },
  'group.id': { kind: 'consumer', why: `not applicable: ${noConsumerGroup}` },
  'enable.auto.commit': { kind: 'consumer', why: `not applicable: ${noConsumerGroup}` },
  'auto.commit.interval.ms': { kind: 'consumer', why: `not applicable: ${noConsumerGroup}` },
  'auto.offset.reset': { kind: 'consumer', why: `not applicable: ${noConsumerGroup}` },
  'session.timeout.ms': { kind: 'consumer', why: `not applicable: ${noConsumerGroup}` },
  'heartbeat.interval.ms': { kind: 'consumer', why: `not applicable: ${noConsumerGroup}` },
  'max.poll.records': { kind: 'consumer', why: `not applicable: ${noConsumerGroup}; max.partition.fetch.bytes bounds one fetch` },
  'max.poll.interval.ms': { kind: 'consumer', why: `not applicable: ${noConsumerGroup}` },
  'isolation.level': { kind: 'consumer', why: 'not configurable: the backup always reads read_committed, so aborted transactions are never backed up' },
  'socket.receive.buffer.bytes': { kind: 'connection', why: 'not supported: the Kafka connections use the operating system\'s socket buffer sizes' },
  'socket.send.buffer.bytes': { kind: 'connection', why: 'not supported: the Kafka connections use the operating system\'s socket buffer sizes' },
  'bootstrap.servers': { kind: 'connection', why: kafkaBackupKey('bootstrap_servers') },
  'security.protocol': { kind: 'connection', why: kafkaBackupKey('security.security_protocol') },
  'sasl.mechanism': { kind: 'connection', why: kafkaBackupKey('security.sasl_mechanism') },
  'sasl.jaas.config': { kind: 'connection', why: kafkaBackupKey('security.sasl_username with security.sasl_password') },
  'ssl.truststore.location': { kind: 'connection', why: kafkaBackupKey('security.ssl_ca_location (a PEM file)') },
  'ssl.keystore.location': { kind: 'connection', why: kafkaBackupKey('security.ssl_certificate_location with security.ssl_key_location (PEM files)') },
  'ssl.endpoint.identification.algorithm': { kind: 'connection', why: kafkaBackupKey('security.ssl_reject_unauthorized') },
};

function isSide(value: unknown): value is KafkaSide {
  return value === 'source' || value === 'target';
}

/**
 * Why a property written at `path` (a `kafka_config` mapping: ["source", "kafka_config"]) is
 * refused, or undefined when it is just unknown.
 */
export function refusedKafkaProperty(path: readonly PropertyKey[], key: string): string | undefined {
  const [side, section] = path;
  if (path.length !== 2 || !isSide(side) || section !== 'kafka_config' || !Object.hasOwn(refusedKafkaProperties, key)) return undefined;
  const refusal = refusedKafkaProperties[key]!;
  if (refusal.kind === 'producer' && side === 'source') return 'a producer property, which has no effect on the source: the backup does not produce';
  if (refusal.kind === 'consumer' && side === 'target') return 'a consumer property, which has no effect on the target: the restore does not fetch from Kafka';
  return refusal.why;
}

/** Every refused property with its kind, for the reference documentation. */
export function refusedKafkaPropertyList(): { key: string; kind: Refusal['kind'] }[] {
  return Object.entries(refusedKafkaProperties).map(([key, r]) => ({ key, kind: r.kind }));
}
