// What the Kafka layer needs to know about a cluster, resolved from the config's source/target
// section by kafkaSettings() below.
import type { KafkaConnectionConfig } from '../config/types.js';

export interface KafkaSettings {
  bootstrapServers: string[];
  clientId: string;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  retries: number;
  retryBackoffMs: number;
  metadataMaxAgeMs: number;
  fetchMaxBytes: number;
  partitionFetchMaxBytes: number;
  fetchMaxWaitMs: number;
  fetchMinBytes: number;
  /** -1 (all in-sync replicas) or 1 (leader only). */
  acks: -1 | 1;
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
    fetchMaxWaitMs: k['fetch.max.wait.ms'],
    fetchMinBytes: k['fetch.min.bytes'],
    acks: k.acks === 1 ? 1 : -1,
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
