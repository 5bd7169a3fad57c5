// How the commands reach a Kafka cluster: a KafkaTransport (transport.ts), today over kafkajs
// (kafkajs/). The implementation is loaded on first use, so a command that never talks to Kafka
// does not pay for loading kafkajs.
import type { Logger } from 'pino';
import { RawKafkaSink } from './kafka-sink.js';
import { RawKafkaSource } from './kafka-source.js';
import type { KafkaSettings } from './settings.js';
import type { KafkaTransport } from './transport.js';

/** A connected transport; fails with KAFKA_UNREACHABLE / KAFKA_AUTH / CONFIG_INVALID (TLS files). */
export async function connectKafka(settings: KafkaSettings, log: Logger): Promise<KafkaTransport> {
  const { connectKafkajs } = await import('./kafkajs/connection.js');
  return connectKafkajs(settings, log);
}

/** The backup's view of a cluster; closing it closes the connection. */
export async function connectSource(settings: KafkaSettings, log: Logger): Promise<RawKafkaSource> {
  return new RawKafkaSource(await connectKafka(settings, log), log);
}

/** The restore's view of a cluster; closing it closes the connection. */
export async function connectSink(settings: KafkaSettings, log: Logger): Promise<RawKafkaSink> {
  return new RawKafkaSink(await connectKafka(settings, log), log);
}
