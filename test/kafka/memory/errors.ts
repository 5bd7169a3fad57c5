// Kafka error codes the in-memory Kafka answers with, by name, and the failures its transport
// throws, shaped as the transport contract says (src/kafka/transport.ts): KAFKA_PROTOCOL carrying
// Kafka's error name and whether Kafka marks it retryable; KAFKA_UNREACHABLE for a lost connection.
import { KafkaBackupError } from '../../../src/errors.js';

/** Code and retriability of the Kafka errors the fake uses (Kafka's org.apache.kafka.common.protocol.Errors). */
export const kafkaErrors = {
  UNKNOWN_SERVER_ERROR: { code: -1, retryable: false },
  NONE: { code: 0, retryable: false },
  OFFSET_OUT_OF_RANGE: { code: 1, retryable: false },
  CORRUPT_MESSAGE: { code: 2, retryable: true },
  UNKNOWN_TOPIC_OR_PARTITION: { code: 3, retryable: true },
  LEADER_NOT_AVAILABLE: { code: 5, retryable: true },
  NOT_LEADER_OR_FOLLOWER: { code: 6, retryable: true },
  REQUEST_TIMED_OUT: { code: 7, retryable: true },
  MESSAGE_TOO_LARGE: { code: 10, retryable: false },
  NETWORK_EXCEPTION: { code: 13, retryable: true },
  COORDINATOR_LOAD_IN_PROGRESS: { code: 14, retryable: true },
  COORDINATOR_NOT_AVAILABLE: { code: 15, retryable: true },
  NOT_COORDINATOR: { code: 16, retryable: true },
  INVALID_TOPIC_EXCEPTION: { code: 17, retryable: false },
  NOT_ENOUGH_REPLICAS: { code: 19, retryable: true },
  UNKNOWN_MEMBER_ID: { code: 25, retryable: false },
  TOPIC_AUTHORIZATION_FAILED: { code: 29, retryable: false },
  GROUP_AUTHORIZATION_FAILED: { code: 30, retryable: false },
  CLUSTER_AUTHORIZATION_FAILED: { code: 31, retryable: false },
  INVALID_TIMESTAMP: { code: 32, retryable: false },
  TOPIC_ALREADY_EXISTS: { code: 36, retryable: false },
  INVALID_PARTITIONS: { code: 37, retryable: false },
  INVALID_REPLICATION_FACTOR: { code: 38, retryable: false },
  INVALID_CONFIG: { code: 40, retryable: false },
  INVALID_REQUEST: { code: 42, retryable: false },
  OUT_OF_ORDER_SEQUENCE_NUMBER: { code: 45, retryable: false },
  DUPLICATE_SEQUENCE_NUMBER: { code: 46, retryable: false },
  INVALID_PRODUCER_EPOCH: { code: 47, retryable: false },
  INVALID_TXN_STATE: { code: 48, retryable: false },
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: { code: 53, retryable: false },
  KAFKA_STORAGE_ERROR: { code: 56, retryable: true },
  INVALID_RECORD: { code: 87, retryable: false },
} as const;

export type KafkaErrorName = keyof typeof kafkaErrors;

export function errorCode(name: KafkaErrorName): number {
  return kafkaErrors[name].code;
}

export function errorName(code: number): string {
  for (const [name, e] of Object.entries(kafkaErrors)) if (e.code === code) return name;
  return `KAFKA_ERROR_${code}`;
}

/** A broker's error answer to a whole request (or a partition error that the contract throws). */
export function protocolFailure(code: number, doing: string, message = ''): KafkaBackupError {
  const name = errorName(code);
  const retryable = Object.values(kafkaErrors).find((e) => e.code === code)?.retryable ?? false;
  const kind = name.endsWith('_AUTHORIZATION_FAILED') ? 'KAFKA_AUTH' : 'KAFKA_PROTOCOL';
  return new KafkaBackupError(kind, `${doing}: ${name}${message ? `: ${message}` : ''}`, { retryable, kafkaError: name });
}

/** The connection to a broker broke or timed out. */
export function unreachable(doing: string, why: string): KafkaBackupError {
  return new KafkaBackupError('KAFKA_UNREACHABLE', `${doing}: ${why}`, { retryable: true });
}
