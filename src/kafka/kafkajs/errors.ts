// Turns kafkajs's failures (its error classes, and Kafka errors as kafkajs throws them) into our
// error vocabulary, with a hint at the likely cause.
import { KafkaBackupError } from '../../errors.js';
import { AUTH_ERRORS, protocolError } from '../protocol-errors.js';

/**
 * Kafka's name of the protocol error a kafkajs error carries, if any: from its error code (our
 * table, so names match brokerError's), else kafkajs's own `type`.
 */
export function kafkaErrorName(err: unknown): string | undefined {
  const e = err as { code?: unknown; type?: unknown; name?: unknown } | undefined;
  if (e?.name === 'KafkaJSProtocolError' && typeof e.code === 'number' && e.code !== -99) return protocolError(e.code).name;
  return typeof e?.type === 'string' ? e.type : undefined;
}

export function translateKafkaError(err: unknown, doing: string): KafkaBackupError {
  if (err instanceof KafkaBackupError) return err;
  const e = err as { name?: string; message?: string; type?: string; broker?: string; retriable?: boolean };
  const name = e?.name ?? '';
  const message = e?.message ?? String(err);
  const kafkaError = kafkaErrorName(err);
  if (name === 'KafkaJSSASLAuthenticationError' || (kafkaError && AUTH_ERRORS.has(kafkaError))) {
    return new KafkaBackupError('KAFKA_AUTH', `${doing}: ${message}${authHint(kafkaError, message)}`, {
      cause: err,
      ...(kafkaError ? { kafkaError } : {}),
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
    return new KafkaBackupError('KAFKA_UNREACHABLE', `${doing}: ${root.message}${connectionHint(root)}`, { cause: err, retryable: true });
  }
  if (message === 'Broker not connected') {
    // kafkajs's plain Error for a request after a handshake that never completed.
    return new KafkaBackupError(
      'KAFKA_UNREACHABLE',
      `${doing}: the broker accepted the connection but did not answer the Kafka handshake ` +
        '(is this a Kafka listener, and does security_protocol match it?)',
      { cause: err, retryable: true },
    );
  }
  if (kafkaError) {
    return new KafkaBackupError('KAFKA_PROTOCOL', `${doing}: ${kafkaError}: ${message}`, {
      cause: err,
      retryable: e.retriable ?? false,
      kafkaError,
    });
  }
  return new KafkaBackupError('KAFKA_PROTOCOL', `${doing}: ${message}`, { cause: err });
}

function authHint(type: string | undefined, message: string): string {
  // A SASL handshake on a listener without SASL: the credentials are not the problem.
  if (type === 'ILLEGAL_SASL_STATE') {
    return ' (the broker listener does not expect SASL: check that security.security_protocol matches the broker listener)';
  }
  if (type === 'UNSUPPORTED_SASL_MECHANISM' || /mechanism is not supported/i.test(message)) {
    return ' (the broker listener does not enable this sasl_mechanism)';
  }
  return ' (check the SASL mechanism, username and password, and the ACLs)';
}

// Node.js certificate verification codes: the broker's certificate is not trusted, or not for this address.
const UNTRUSTED_CERT = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const CLIENT_CERT_REFUSED = new Set(['ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED']);

/** Why a connection failure most likely happened, from the root error's code and message ('' if unknown). */
function connectionHint(root: { message: string; code?: string }): string {
  const { message, code } = root;
  if (code !== undefined && UNTRUSTED_CERT.has(code)) {
    return " (the broker's TLS certificate is not trusted: set security.ssl_ca_location to the CA that signed it, and check that the certificate names the broker address)";
  }
  if ((code !== undefined && CLIENT_CERT_REFUSED.has(code)) || /alert (bad certificate|certificate required)/i.test(message)) {
    return ' (the broker requires a client certificate it accepts: set security.ssl_certificate_location and ssl_key_location)';
  }
  if (/EPROTO|wrong version|certificate|SSL|TLS/i.test(message)) return ' (is TLS misconfigured on the client or the broker?)';
  // A PLAINTEXT client on an SSL or SASL listener sees nothing but the broker hanging up.
  if (/Closed connection|ECONNRESET|socket hang up/i.test(message)) {
    return ' (the broker closed the connection: check that security.security_protocol matches the broker listener, SSL or SASL_* on a secured port)';
  }
  return '';
}

/** OpenSSL's "<hex>:error:<hex>:SSL routines:<func>:<reason>:<file>:<line>[:SSL alert number N]" as "<reason> (TLS alert N)". */
function tidyOpenSsl(message: string): string {
  return message
    .replace(/[0-9A-F]{6,}:error:[0-9A-F]+:SSL routines:[^:]*:([^:]+):[^\s:]+:\d+(?::SSL alert number (\d+))?/g, (_m, reason: string, alert?: string) =>
      alert ? `${reason} (TLS alert ${alert})` : reason,
    )
    .trim();
}

function rootCause(err: unknown): { message: string; code?: string } {
  let cur: unknown = err;
  let msg = '';
  let code: string | undefined;
  for (let i = 0; i < 6 && cur; i++) {
    const c = cur as { message?: string; code?: unknown; originalError?: unknown; cause?: unknown };
    if (c.message) msg = c.message;
    if (typeof c.code === 'string') code = c.code;
    cur = c.originalError ?? c.cause;
  }
  return { message: tidyOpenSsl(msg || String(err)), ...(code !== undefined ? { code } : {}) };
}
