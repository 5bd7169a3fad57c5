import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthorizedOperations, aclOperation, aclToolOperation, clientPrincipal, grantCommand, type AclOperationName } from '../../src/kafka/authorized-operations.js';

const field = (...ops: AclOperationName[]) => ops.reduce((bits, op) => bits | (1 << aclOperation[op]), 0);
const allows = (a: AuthorizedOperations, ops: AclOperationName[]) => Object.fromEntries(ops.map((op) => [op, a.allows(op)]));

describe('AuthorizedOperations', () => {
  test('a field with DESCRIBE: each bit is the operation of that code', () => {
    const a = AuthorizedOperations.fromField(field('DESCRIBE', 'WRITE', 'IDEMPOTENT_WRITE'));
    assert.deepEqual(allows(a, ['DESCRIBE', 'WRITE', 'IDEMPOTENT_WRITE', 'READ', 'CREATE', 'DESCRIBE_CONFIGS']), {
      DESCRIBE: true, WRITE: true, IDEMPOTENT_WRITE: true, READ: false, CREATE: false, DESCRIBE_CONFIGS: false,
    });
    // The bit numbers are Kafka's AclOperation codes.
    assert.equal(AuthorizedOperations.fromField(1 << 5).allows('CREATE'), undefined, 'CREATE alone (no DESCRIBE) says nothing certain');
    assert.equal(AuthorizedOperations.fromField((1 << 8) | (1 << 5)).allows('CREATE'), true);
  });

  test('-2147483648 (not provided): nothing is known', () => {
    const a = AuthorizedOperations.fromField(-2147483648);
    for (const op of Object.keys(aclOperation) as AclOperationName[]) assert.equal(a.allows(op), undefined, op);
  });

  test('without DESCRIBE (0, or TOPIC_AUTHORIZATION_FAILED): only DESCRIBE and what implies it are known missing', () => {
    for (const a of [AuthorizedOperations.fromField(0), AuthorizedOperations.describeDenied]) {
      assert.deepEqual(allows(a, ['DESCRIBE', 'READ', 'WRITE', 'DELETE', 'ALTER']), { DESCRIBE: false, READ: false, WRITE: false, DELETE: false, ALTER: false });
      assert.deepEqual(allows(a, ['CREATE', 'DESCRIBE_CONFIGS', 'IDEMPOTENT_WRITE']), { CREATE: undefined, DESCRIBE_CONFIGS: undefined, IDEMPOTENT_WRITE: undefined });
    }
  });
});

describe('ACL texts', () => {
  test('operations as kafka-acls spells them', () => {
    assert.deepEqual(['WRITE', 'DESCRIBE_CONFIGS', 'IDEMPOTENT_WRITE'].map((o) => aclToolOperation(o as AclOperationName)), ['Write', 'DescribeConfigs', 'IdempotentWrite']);
  });

  test('grant commands for a topic, the cluster and a group; odd names quoted for the shell', () => {
    assert.equal(grantCommand('User:bob', 'WRITE', { type: 'topic', name: 'orders.v1' }), 'kafka-acls --add --allow-principal User:bob --operation Write --topic orders.v1');
    assert.equal(grantCommand('User:bob', 'IDEMPOTENT_WRITE', { type: 'cluster' }), 'kafka-acls --add --allow-principal User:bob --operation IdempotentWrite --cluster');
    assert.equal(
      grantCommand('User:CN=x,O=a b', 'READ', { type: 'group', name: "it's" }),
      `kafka-acls --add --allow-principal 'User:CN=x,O=a b' --operation Read --group 'it'\\''s'`,
    );
  });
});

describe('clientPrincipal', () => {
  test('the SASL user, else ANONYMOUS', () => {
    assert.equal(clientPrincipal({ sasl: { mechanism: 'PLAIN', username: 'alice', password: 'x' } }), 'User:alice');
    assert.equal(clientPrincipal({ ssl: { rejectUnauthorized: true } }), 'User:ANONYMOUS');
    assert.equal(clientPrincipal({}), 'User:ANONYMOUS');
  });

  test('an unreadable client certificate is named, not guessed', () => {
    assert.equal(clientPrincipal({ ssl: { rejectUnauthorized: true, certFile: '/nonexistent/client.pem' } }), 'User:<subject of /nonexistent/client.pem>');
  });
});
