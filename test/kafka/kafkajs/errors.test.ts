// translateKafkaError on error objects shaped like kafkajs's (name, message, code, originalError, type):
// the code chosen and the hint at the likely cause. The real errors are produced against a broker in
// test/integration/security-failures.test.ts; these pin the mapping.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { translateKafkaError } from '../../../src/kafka/kafkajs/errors.js';

/** kafkajs wraps the socket error: KafkaJSNumberOfRetriesExceeded → KafkaJSConnectionError (with code). */
function retriesExceeded(message: string, code?: string, inner = 'KafkaJSConnectionError') {
  const cause = Object.assign(new Error(message), { name: inner, retriable: true, ...(code ? { code } : {}) });
  return Object.assign(new Error(message), { name: 'KafkaJSNumberOfRetriesExceeded', originalError: cause });
}

describe('translateKafkaError: connection failures', () => {
  test('an untrusted broker certificate points at ssl_ca_location and keeps the address', () => {
    const e = translateKafkaError(retriesExceeded('Connection error: self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'), 'connecting to Kafka at 10.0.0.1:9093');
    assert.equal(e.code, 'KAFKA_UNREACHABLE');
    assert.match(e.message, /^connecting to Kafka at 10\.0\.0\.1:9093: Connection error: self-signed certificate in certificate chain/);
    assert.match(e.message, /not trusted: set security\.ssl_ca_location/);
  });

  test('a certificate for another host name gets the same hint', () => {
    const e = translateKafkaError(retriesExceeded("Connection error: Hostname/IP does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID'), 'x');
    assert.match(e.message, /names the broker address/);
  });

  test('a refused client certificate: OpenSSL noise reduced to its reason, hint names the client certificate keys', () => {
    const raw =
      'Connection error: 80CC0295627F0000:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:' +
      '../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 42\n';
    const e = translateKafkaError(retriesExceeded(raw, 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE'), 'connecting');
    assert.equal(e.message.split('\n').length, 1, 'one line');
    assert.match(e.message, /^connecting: Connection error: sslv3 alert bad certificate \(TLS alert 42\) \(/);
    assert.match(e.message, /ssl_certificate_location and ssl_key_location/);
    assert.doesNotMatch(e.message, /rec_layer_s3\.c/);
  });

  test('a closed connection hints at a security_protocol mismatch', () => {
    const e = translateKafkaError(retriesExceeded('Closed connection', undefined, 'KafkaJSConnectionClosedError'), 'listing topics');
    assert.equal(e.code, 'KAFKA_UNREACHABLE');
    assert.match(e.message, /^listing topics: Closed connection \(the broker closed the connection: check that security\.security_protocol/);
    assert.equal(e.retryable, true);
  });

  test('a TLS client on a plaintext port keeps the generic TLS hint', () => {
    const e = translateKafkaError(
      retriesExceeded('Connection error: Client network socket disconnected before secure TLS connection was established', 'ECONNRESET'),
      'c',
    );
    assert.match(e.message, /\(is TLS misconfigured on the client or the broker\?\)$/);
  });

  test('a refused TCP connection gets no TLS or protocol hint', () => {
    const e = translateKafkaError(retriesExceeded('Connection error: connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'), 'c');
    assert.equal(e.message, 'c: Connection error: connect ECONNREFUSED 127.0.0.1:1');
  });
});

describe('translateKafkaError: SASL failures', () => {
  test('wrong credentials: KAFKA_AUTH, not retryable, hint at mechanism, username and password', () => {
    const err = Object.assign(new Error('SASL PLAIN authentication failed: Authentication failed: Invalid username or password'), {
      name: 'KafkaJSSASLAuthenticationError',
    });
    const e = translateKafkaError(err, 'connecting');
    assert.equal(e.code, 'KAFKA_AUTH');
    assert.equal(e.retryable, false);
    assert.match(e.message, /check the SASL mechanism, username and password/);
  });

  test('ILLEGAL_SASL_STATE (SASL client on a listener without SASL) points at security_protocol, not the password', () => {
    const err = Object.assign(new Error('Request is not valid given the current SASL state'), { name: 'KafkaJSProtocolError', type: 'ILLEGAL_SASL_STATE' });
    const e = translateKafkaError(err, 'connecting');
    assert.equal(e.code, 'KAFKA_AUTH');
    assert.match(e.message, /does not expect SASL: check that security\.security_protocol/);
    assert.doesNotMatch(e.message, /password/);
  });

  test('a mechanism the listener does not enable says so', () => {
    const err = Object.assign(new Error('SASL SCRAM-SHA-512 mechanism is not supported by the server'), { name: 'KafkaJSSASLAuthenticationError' });
    assert.match(translateKafkaError(err, 'c').message, /does not enable this sasl_mechanism/);
  });
});
