import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rules } from '../../src/config/rules.js';
import { base, parse, problems } from './helpers.js';

const withSecurity = (security: string, section = 'source'): string =>
  `${base}${section}:\n  bootstrap_servers: k:9093\n  security:\n${security.replace(/^/gm, '    ')}\n`;

describe('security rules', () => {
  test('SASL protocols need mechanism, username and password', () => {
    assert.deepEqual(problems(withSecurity('security_protocol: SASL_SSL')), [
      'source.security.sasl_mechanism: required when security_protocol is SASL_SSL',
      'source.security.sasl_username: required when security_protocol is SASL_SSL',
      'source.security.sasl_password: required when security_protocol is SASL_SSL',
    ]);
  });

  test('a complete SASL_SSL setup with mutual TLS is accepted', () => {
    const config = parse(
      withSecurity(`security_protocol: SASL_SSL
sasl_mechanism: SCRAM-SHA-512
sasl_username: u
sasl_password: p
ssl_ca_location: ca.pem
ssl_certificate_location: c.pem
ssl_key_location: k.pem
ssl_key_password: kp
ssl_reject_unauthorized: false`),
    );
    assert.equal(config.source!.security.ssl_reject_unauthorized, false);
    assert.equal(config.source!.security.sasl_mechanism, 'SCRAM-SHA-512');
  });

  test('sasl_* keys need a SASL protocol', () => {
    assert.deepEqual(problems(withSecurity('security_protocol: SSL\nsasl_mechanism: PLAIN\nsasl_username: u', 'target')), [
      'target.security.sasl_mechanism: sasl_mechanism is set but security_protocol is SSL',
      'target.security.sasl_username: sasl_username is set but security_protocol is SSL',
    ]);
  });

  test('ssl_* keys need an SSL protocol, even ssl_reject_unauthorized', () => {
    assert.deepEqual(problems(withSecurity('ssl_ca_location: ca.pem\nssl_reject_unauthorized: true')), [
      'source.security.ssl_ca_location: ssl_ca_location is set but security_protocol is PLAINTEXT (use SSL or SASL_SSL)',
      'source.security.ssl_reject_unauthorized: ssl_reject_unauthorized is set but security_protocol is PLAINTEXT (use SSL or SASL_SSL)',
    ]);
  });

  test('a client certificate and its key come together', () => {
    assert.deepEqual(problems(withSecurity('security_protocol: SSL\nssl_certificate_location: c.pem')), [
      'source.security.ssl_key_location: required with ssl_certificate_location',
    ]);
    assert.deepEqual(problems(withSecurity('security_protocol: SSL\nssl_key_location: k.pem')), [
      'source.security.ssl_certificate_location: required with ssl_key_location',
    ]);
    assert.deepEqual(problems(withSecurity('security_protocol: SSL\nssl_key_password: x')), [
      'source.security.ssl_key_password: ssl_key_password is set but ssl_key_location is not',
    ]);
  });
});

describe('backup and restore rules', () => {
  test('compression_level applies to zstd only, judged by what was written', () => {
    assert.deepEqual(problems(`${base}backup:\n  compression: lz4\n  compression_level: 3\n`), [
      'backup.compression_level: applies to zstd only, but backup.compression is lz4',
    ]);
    assert.equal(parse(`${base}backup:\n  compression: none\n`).backup.compression, 'none');
    assert.equal(parse(`${base}backup:\n  compression_level: 19\n`).backup.compression_level, 19);
  });

  test('a block must fit in a segment', () => {
    assert.deepEqual(problems(`${base}backup:\n  segment_max_bytes: 64KiB\n`), [
      'backup.block_max_bytes: 1048576 exceeds backup.segment_max_bytes (65536)',
    ]);
    assert.equal(parse(`${base}backup:\n  segment_max_bytes: 64KiB\n  block_max_bytes: 64KiB\n`).backup.block_max_bytes, 65536);
  });

  test('two topics may not be restored into one', () => {
    assert.deepEqual(problems(`${base}restore:\n  topic_mapping: { a: x, b: y, c: x }\n`), [
      'restore.topic_mapping.c: maps to "x", as does "a"',
    ]);
    assert.deepEqual(problems(`${base}restore:\n  topic_mapping: { a: "no/slash" }\n`), [
      'restore.topic_mapping.a: "no/slash" is not a valid topic name (1-249 of a-z A-Z 0-9 . _ -, not "." or "..")',
    ]);
  });

  test('a declared mode needs its cluster section', () => {
    assert.deepEqual(problems(`mode: restore\n${base}`), ['target: required when mode is restore']);
    assert.deepEqual(problems(`mode: backup\n${base}`), ['source: required when mode is backup']);
  });

  test('rules from several areas are reported together', () => {
    const found = problems(`${base}backup:\n  compression: none\n  compression_level: 1\n  segment_max_bytes: 64KiB
source:\n  bootstrap_servers: k:1\n  security: { security_protocol: SASL_PLAINTEXT, sasl_mechanism: PLAIN, sasl_username: u }\n`);
    assert.equal(found.length, 3, found.join('\n'));
  });

  test('every rule has a distinct name', () => {
    const names = rules.map((r) => r.name);
    assert.equal(new Set(names).size, names.length);
  });
});
