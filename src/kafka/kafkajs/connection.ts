// Connecting to a cluster with kafkajs: its Kafka + Admin for the control plane and a kafkajs
// Cluster whose broker connections carry our raw requests (internals.ts), both with every
// connection setting, metadata.max.age.ms included; the result is a KafkaTransport.
import { readFileSync } from 'node:fs';
import { createSecureContext, type ConnectionOptions } from 'node:tls';
import { Kafka, logLevel as KjsLogLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import { KafkaBackupError } from '../../errors.js';
import type { KafkaSettings } from '../settings.js';
import { translateKafkaError } from './errors.js';
import { createAdmin, createCluster } from './internals.js';
import { KafkajsTransport } from './transport.js';

export async function connectKafkajs(settings: KafkaSettings, log: Logger): Promise<KafkajsTransport> {
  const config = kafkaConfig(settings, log);
  const kafka = new Kafka(config);
  const admin = createAdmin(kafka, settings.metadataMaxAgeMs, config.retry!);
  const cluster = createCluster(kafka, settings.metadataMaxAgeMs);
  const where = settings.bootstrapServers.join(',');
  try {
    await admin.connect();
    // kafkajs resolves connect() even when the broker accepted the TCP connection but never
    // answered the ApiVersions handshake; a metadata request proves it speaks Kafka.
    await admin.describeCluster();
    await cluster.connect();
  } catch (err) {
    await admin.disconnect().catch(() => undefined);
    throw translateKafkaError(err, `connecting to Kafka at ${where}`);
  }
  return new KafkajsTransport(settings, admin, cluster);
}

/** The kafkajs configuration of a connection; exported for tests. */
export function kafkaConfig(s: KafkaSettings, log: Logger): KafkaConfig {
  const config: KafkaConfig = {
    clientId: s.clientId,
    brokers: s.bootstrapServers,
    connectionTimeout: s.connectionTimeoutMs,
    requestTimeout: s.requestTimeoutMs,
    retry: { retries: s.retries, initialRetryTime: s.retryBackoffMs },
    logLevel: KjsLogLevel.WARN,
    logCreator: () => (entry) => {
      const { message, ...rest } = entry.log;
      // kafkajs logs request failures that we retry or translate ourselves; keep them at debug.
      log.debug({ kafkajs: entry.namespace, ...rest }, message);
    },
  };
  if (s.ssl) config.ssl = tlsOptions(s.ssl);
  if (s.sasl) {
    const mechanism = ({ PLAIN: 'plain', 'SCRAM-SHA-256': 'scram-sha-256', 'SCRAM-SHA-512': 'scram-sha-512' } as const)[
      s.sasl.mechanism
    ];
    config.sasl = { mechanism, username: s.sasl.username, password: s.sasl.password } as SASLOptions;
  }
  return config;
}

/**
 * The TLS options, loaded and checked before any connection: an unreadable file, a CA file without
 * certificates, a wrong ssl_key_password or a key that does not match the certificate is a config
 * problem (CONFIG_INVALID), not a connection error retried against every broker.
 */
function tlsOptions(ssl: NonNullable<KafkaSettings['ssl']>): ConnectionOptions {
  const ca = ssl.caFile ? readPem('ssl_ca_location', ssl.caFile) : undefined;
  if (ssl.caFile && !ca?.includes('-----BEGIN CERTIFICATE-----')) {
    throw new KafkaBackupError('CONFIG_INVALID', `security.ssl_ca_location ${ssl.caFile}: no PEM certificate in the file`, { file: ssl.caFile });
  }
  const options: ConnectionOptions = {
    rejectUnauthorized: ssl.rejectUnauthorized,
    ...(ca ? { ca: [ca] } : {}),
    ...(ssl.certFile ? { cert: readPem('ssl_certificate_location', ssl.certFile) } : {}),
    ...(ssl.keyFile ? { key: readPem('ssl_key_location', ssl.keyFile) } : {}),
    ...(ssl.keyPassword ? { passphrase: ssl.keyPassword } : {}),
  };
  try {
    createSecureContext(options);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const what =
      e.code === 'ERR_OSSL_BAD_DECRYPT'
        ? `cannot decrypt the private key ${ssl.keyFile ?? ''} (wrong or missing ssl_key_password)`
        : e.code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH'
          ? `the private key ${ssl.keyFile ?? ''} does not belong to the certificate ${ssl.certFile ?? ''}`
          : `cannot load the TLS files: ${e.message ?? String(err)}`;
    throw new KafkaBackupError('CONFIG_INVALID', `security: ${what}`, { cause: err });
  }
  return options;
}

function readPem(key: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new KafkaBackupError('CONFIG_INVALID', `security.${key}: cannot read ${file}: ${(err as Error).message}`, { cause: err, file });
  }
}
