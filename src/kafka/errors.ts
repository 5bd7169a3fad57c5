// Turns kafkajs and broker failures into our error vocabulary, with a hint at the likely cause.
import { KafkaBackupError } from '../errors.js';
import { protocolError } from './kafkajs-internals.js';

const AUTH_TYPES = new Set([
  'SASL_AUTHENTICATION_FAILED',
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'ILLEGAL_SASL_STATE',
  'UNSUPPORTED_SASL_MECHANISM',
]);

export function translateKafkaError(err: unknown, doing: string): KafkaBackupError {
  if (err instanceof KafkaBackupError) return err;
  const e = err as { name?: string; message?: string; type?: string; broker?: string; retriable?: boolean };
  const name = e?.name ?? '';
  const message = e?.message ?? String(err);
  if (name === 'KafkaJSSASLAuthenticationError' || (e.type && AUTH_TYPES.has(e.type))) {
    return new KafkaBackupError('KAFKA_AUTH', `${doing}: ${message} (check the SASL mechanism, username and password, and the ACLs)`, {
      cause: err,
    });
  }
  if (
    name === 'KafkaJSConnectionError' ||
    name === 'KafkaJSConnectionClosedError' ||
    name === 'KafkaJSNonRetriableError' ||
    name === 'KafkaJSNumberOfRetriesExceeded' ||
    name === 'KafkaJSBrokerNotFound' ||
    name === 'KafkaJSRequestTimeoutError'
  ) {
    const root = rootCause(err);
    const tlsHint = /EPROTO|wrong version|certificate|SSL|TLS/i.test(root) ? ' (is TLS misconfigured on the client or the broker?)' : '';
    return new KafkaBackupError('KAFKA_UNREACHABLE', `${doing}: ${root}${tlsHint}`, { cause: err, retryable: true });
  }
  if (e.type) {
    return new KafkaBackupError('KAFKA_PROTOCOL', `${doing}: ${e.type}: ${message}`, {
      cause: err,
      retryable: e.retriable ?? false,
    });
  }
  return new KafkaBackupError('KAFKA_PROTOCOL', `${doing}: ${message}`, { cause: err });
}

/** A broker error code in a response, as our error (NOT_LEADER_OR_FOLLOWER etc. are retryable). */
export function brokerError(code: number, doing: string): KafkaBackupError {
  const p = protocolError(code);
  const kind = AUTH_TYPES.has(p.type) ? 'KAFKA_AUTH' : 'KAFKA_PROTOCOL';
  return new KafkaBackupError(kind, `${doing}: ${p.type}: ${p.message}`, { retryable: p.retriable, kafkaError: p.type });
}

function rootCause(err: unknown): string {
  let cur: unknown = err;
  let msg = '';
  for (let i = 0; i < 6 && cur; i++) {
    const c = cur as { message?: string; originalError?: unknown; cause?: unknown };
    if (c.message) msg = c.message;
    cur = c.originalError ?? c.cause;
  }
  return msg || String(err);
}
