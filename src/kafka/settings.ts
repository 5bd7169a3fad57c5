// What the Kafka layer needs to know about a cluster, resolved from the config's source/target
// section by kafkaSettings() below. Every kafka_config key lands here, and each setting is used by
// the side it applies to: the fetch settings by the backup's raw Fetch (source), the produce
// settings by the restore's raw Produce (target); config/kafka-properties.ts refuses a key on the
// side that has no use for it.
import type { KafkaConnectionConfig } from '../config/types.js';

export interface KafkaSettings {
  bootstrapServers: string[];
  clientId: string;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  retries: number;
  retryBackoffMs: number;
  /** Every client of the connection: the admin's cluster and the raw data plane's. */
  metadataMaxAgeMs: number;
  /** Backup (source) only, like the other fetch settings. */
  fetchMaxBytes: number;
  partitionFetchMaxBytes: number;
  fetchMinBytes: number;
  /** Restore (target) only: Produce requests in flight per broker connection. */
  maxInFlightPerConnection: number;
  ssl?: { rejectUnauthorized: boolean; caFile?: string; certFile?: string; keyFile?: string; keyPassword?: string };
  sasl?: { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: string; password: string };
}

/** The Kafka layer's view of a config `source`/`target` section. */
export function kafkaSettings(c: KafkaConnectionConfig): KafkaSettings {
  const k = c.kafka_config;
  const s = c.security;
  const settings: KafkaSettings = {
    bootstrapServers: c.bootstrap_servers,
    clientId: c.client_id,
    connectionTimeoutMs: k['socket.connection.setup.timeout.ms'],
    requestTimeoutMs: k['request.timeout.ms'],
    retries: k.retries,
    retryBackoffMs: k['retry.backoff.ms'],
    metadataMaxAgeMs: k['metadata.max.age.ms'],
    fetchMaxBytes: k['fetch.max.bytes'],
    partitionFetchMaxBytes: k['max.partition.fetch.bytes'],
    fetchMinBytes: k['fetch.min.bytes'],
    maxInFlightPerConnection: k['max.in.flight.requests.per.connection'],
  };
  if (s.security_protocol === 'SSL' || s.security_protocol === 'SASL_SSL') {
    settings.ssl = {
      rejectUnauthorized: s.ssl_reject_unauthorized,
      ...(s.ssl_ca_location ? { caFile: s.ssl_ca_location } : {}),
      ...(s.ssl_certificate_location ? { certFile: s.ssl_certificate_location } : {}),
      ...(s.ssl_key_location ? { keyFile: s.ssl_key_location } : {}),
      ...(s.ssl_key_password ? { keyPassword: s.ssl_key_password } : {}),
    };
  }
  if (s.security_protocol === 'SASL_PLAINTEXT' || s.security_protocol === 'SASL_SSL') {
    settings.sasl = {
      mechanism: s.sasl_mechanism ?? 'PLAIN',
      username: s.sasl_username ?? '',
      password: s.sasl_password ?? '',
    };
  }
  return settings;
}
