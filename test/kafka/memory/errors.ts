// The Kafka errors the in-memory Kafka answers with, by name, from our protocol error table
// (src/kafka/protocol-errors.ts), and the failures its transport throws, shaped as the transport
// contract says (src/kafka/transport.ts): KAFKA_PROTOCOL / KAFKA_AUTH carrying Kafka's error name
// and retriability (brokerError), KAFKA_UNREACHABLE for a lost connection.
import { KafkaBackupError } from '../../../src/errors.js';
import { brokerError, protocolError } from '../../../src/kafka/protocol-errors.js';

/** Name → code over the table's range (its codes run from -1 to the high 100s). */
const BY_NAME = new Map<string, number>();
for (let code = -1; code < 200; code++) {
  const e = protocolError(code);
  if (!e.name.startsWith('ERROR_')) BY_NAME.set(e.name, code);
}

export type KafkaErrorName =
  | 'OFFSET_OUT_OF_RANGE'
  | 'CORRUPT_MESSAGE'
  | 'UNKNOWN_TOPIC_OR_PARTITION'
  | 'NOT_LEADER_OR_FOLLOWER'
  | 'MESSAGE_TOO_LARGE'
  | 'NOT_COORDINATOR'
  | 'INVALID_TOPIC_EXCEPTION'
  | 'NOT_ENOUGH_REPLICAS'
  | 'UNKNOWN_MEMBER_ID'
  | 'TOPIC_AUTHORIZATION_FAILED'
  | 'GROUP_AUTHORIZATION_FAILED'
  | 'INVALID_TIMESTAMP'
  | 'TOPIC_ALREADY_EXISTS'
  | 'INVALID_PARTITIONS'
  | 'INVALID_REPLICATION_FACTOR'
  | 'INVALID_CONFIG'
  | 'INVALID_REQUEST'
  | 'OUT_OF_ORDER_SEQUENCE_NUMBER'
  | 'INVALID_PRODUCER_EPOCH'
  | 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED'
  | 'INVALID_RECORD';

export function errorCode(name: KafkaErrorName): number {
  const code = BY_NAME.get(name);
  if (code === undefined) throw new Error(`${name} is not in src/kafka/protocol-errors.ts`);
  return code;
}

/** A broker's error answer to a whole request (or a partition error that the contract throws). */
export function protocolFailure(code: number, doing: string, detail = ''): KafkaBackupError {
  return brokerError(code, detail ? `${doing} (${detail})` : doing);
}

/** The connection to a broker broke or timed out. */
export function unreachable(doing: string, why: string): KafkaBackupError {
  return new KafkaBackupError('KAFKA_UNREACHABLE', `${doing}: ${why}`, { retryable: true });
}
