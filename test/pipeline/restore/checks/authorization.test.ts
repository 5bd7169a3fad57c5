// The restore's permission checks over a fake access probe: which missing operation becomes a
// problem or a note, what stays unreported when the broker does not say, and how preflight uses
// them (CreateTopics refusals for authorization, configs not compared without DESCRIBE_CONFIGS).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '../../../../src/config/load.js';
import type { BackupDescriptor } from '../../../../src/format/descriptor.js';
import { AuthorizedOperations, aclOperation, type AclOperationName } from '../../../../src/kafka/authorized-operations.js';
import type { AccessProbe } from '../../../../src/kafka/kafka-access.js';
import type { KafkaSink } from '../../../../src/kafka/sink.js';
import type { TopicAdmin } from '../../../../src/kafka/topic-configs.js';
import { checkRestoreAuthorization, createRefusalProblem } from '../../../../src/pipeline/restore/checks/authorization.js';
import { preflight } from '../../../../src/pipeline/restore/checks/preflight.js';
import { MemoryBackend } from '../../../storage/memory-backend.js';

const known = (...ops: AclOperationName[]) => AuthorizedOperations.fromField(ops.reduce((b, op) => b | (1 << aclOperation[op]), 1 << aclOperation.DESCRIBE));
const ALL_TOPIC = known('READ', 'WRITE', 'CREATE', 'DESCRIBE_CONFIGS');

function probe(cluster: AuthorizedOperations, topics: Record<string, AuthorizedOperations>, asked: string[][] = []): AccessProbe {
  return {
    principal: 'User:bob',
    async operations(names) {
      asked.push(names);
      return { cluster, topics: new Map(names.map((n) => [n, topics[n] ?? AuthorizedOperations.unknown])) };
    },
    groupRead: () => Promise.reject(new Error('not used')),
  };
}

describe('checkRestoreAuthorization', () => {
  test('every target topic needs DESCRIBE and WRITE; each problem names principal, operation, topic and the ACL', async () => {
    const asked: string[][] = [];
    const r = await checkRestoreAuthorization(
      probe(known('CREATE', 'IDEMPOTENT_WRITE'), { a: known('READ'), b: AuthorizedOperations.describeDenied, c: ALL_TOPIC, n: known() }, asked),
      { existing: ['a', 'b', 'c'], create: ['n'], compareConfigs: [] },
    );
    assert.deepEqual(asked, [['a', 'b', 'c', 'n']]);
    assert.deepEqual(r.problems, [
      'target topic a: the principal User:bob may not WRITE it (the restore produces to it); the ACL that grants it: kafka-acls --add --allow-principal User:bob --operation Write --topic a',
      'target topic b: the principal User:bob may not DESCRIBE it (the restore looks up its partitions, leaders and offsets); the ACL that grants it: kafka-acls --add --allow-principal User:bob --operation Describe --topic b',
      'target topic b: the principal User:bob may not WRITE it (the restore produces to it); the ACL that grants it: kafka-acls --add --allow-principal User:bob --operation Write --topic b',
      'target topic n: the principal User:bob may not WRITE it (the restore produces to it); the ACL that grants it: kafka-acls --add --allow-principal User:bob --operation Write --topic n',
    ]);
    assert.deepEqual(r.cannotCreate, new Set(), 'CREATE on the cluster covers every topic');
  });

  test('CREATE: either the cluster or the topic suffices; only two known refusals are a problem', async () => {
    const topics = { t1: known('WRITE', 'CREATE'), t2: known('WRITE'), t3: known('WRITE') };
    const denied = await checkRestoreAuthorization(probe(known('IDEMPOTENT_WRITE'), topics), { existing: [], create: ['t1', 't2'], compareConfigs: [] });
    assert.deepEqual(denied.cannotCreate, new Set(['t2']));
    assert.equal(denied.problems.length, 1);
    assert.match(denied.problems[0]!, /^target topic t2: the principal User:bob may not CREATE it \(.*CREATE on the cluster or on the topic.*--operation Create --topic t2$/);
    // The cluster's operations hidden (no DESCRIBE on it): CreateTopics validate_only decides.
    const hidden = await checkRestoreAuthorization(probe(AuthorizedOperations.fromField(0), topics), { existing: [], create: ['t3'], compareConfigs: [] });
    assert.deepEqual([hidden.problems, hidden.cannotCreate], [[], new Set()]);
  });

  test('InitProducerId: IDEMPOTENT_WRITE on the cluster or WRITE on a target topic', async () => {
    const withWrite = await checkRestoreAuthorization(probe(known(), { a: known('WRITE') }), { existing: ['a'], create: [], compareConfigs: [] });
    assert.deepEqual(withWrite.problems, []);
    const without = await checkRestoreAuthorization(probe(known(), { a: known() }), { existing: ['a'], create: [], compareConfigs: [] });
    assert.equal(without.problems.length, 2);
    assert.match(without.problems[0]!, /^target topic a: the principal User:bob may not WRITE it/);
    assert.match(without.problems[1]!, /^the principal User:bob may not IDEMPOTENT_WRITE on the cluster nor WRITE to any target topic.*--operation IdempotentWrite --cluster$/);
  });

  test('no DESCRIBE_CONFIGS on a compared topic: a note, and the topic is not compared', async () => {
    const r = await checkRestoreAuthorization(probe(known('IDEMPOTENT_WRITE'), { a: known('WRITE'), b: ALL_TOPIC }), { existing: ['a', 'b'], create: [], compareConfigs: ['a', 'b'] });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.cannotDescribeConfigs, new Set(['a']));
    assert.deepEqual(r.notes.map((n) => n.topic), ['a']);
    assert.match(r.notes[0]!.message, /may not DESCRIBE_CONFIGS topic a; the ACL that grants it: .*--operation DescribeConfigs --topic a$/);
  });

  test('nothing known (no authorizer information, or no probe): nothing reported', async () => {
    const r = await checkRestoreAuthorization(probe(AuthorizedOperations.unknown, {}), { existing: ['a'], create: ['b'], compareConfigs: ['a'] });
    assert.deepEqual([r.problems, r.notes, r.cannotCreate, r.cannotDescribeConfigs], [[], [], new Set(), new Set()]);
    assert.deepEqual((await checkRestoreAuthorization(undefined, { existing: ['a'], create: [], compareConfigs: [] })).problems, []);
  });
});

describe('createRefusalProblem', () => {
  test('authorization refusals of CreateTopics become CREATE problems; other refusals stay as they are', () => {
    assert.match(
      createRefusalProblem('User:bob', 't', 'TOPIC_AUTHORIZATION_FAILED: Not authorized to access topics: [Topic authorization failed]')!,
      /^target topic t: the principal User:bob may not CREATE it \(CreateTopics answered TOPIC_AUTHORIZATION_FAILED; .*--operation Create --topic t$/,
    );
    assert.match(createRefusalProblem(undefined, 't', 'CLUSTER_AUTHORIZATION_FAILED: x')!, /User:<the restore principal> may not CREATE it \(CreateTopics answered CLUSTER_AUTHORIZATION_FAILED/);
    assert.equal(createRefusalProblem('User:bob', 't', 'INVALID_CONFIG: bad value'), undefined);
  });
});

describe('preflight with an access probe', () => {
  const config = parseConfig(
    JSON.stringify({ backup_id: 'b', target: { bootstrap_servers: ['k:9092'] }, storage: { backend: 'filesystem', path: '/tmp/x' }, restore: { topic_mapping: { orders: 'have', audit: 'new', fresh: 'new2' } } }),
    'test.yaml',
  );
  const descriptor = { topics: [{ name: 'orders', partitions: 1, configs: { 'retention.ms': '-1' } }, { name: 'audit', partitions: 1 }, { name: 'fresh', partitions: 1 }] } as BackupDescriptor;
  const plan = {
    descriptor,
    topics: [
      { sourceTopic: 'orders', targetTopic: 'have', partitions: 1 },
      { sourceTopic: 'audit', targetTopic: 'new', partitions: 1 },
      { sourceTopic: 'fresh', targetTopic: 'new2', partitions: 1 },
    ],
    partitions: [],
  };

  test('adds the problems and notes, skips comparing configs it may not describe, names CreateTopics authorization refusals', async () => {
    const validated: string[][] = [];
    const described: string[][] = [];
    const admin: TopicAdmin = {
      brokerCount: async () => 1,
      async validateNewTopics(topics) {
        validated.push(topics.map((t) => t.name));
        return new Map([['new2', 'TOPIC_AUTHORIZATION_FAILED: Not authorized to access topics: [Topic authorization failed]']]);
      },
      async describeTopics(names) {
        described.push(names);
        return [];
      },
    };
    const unused = () => Promise.reject(new Error('not used'));
    const sink: KafkaSink = {
      clusterId: async () => 'C',
      topics: async () => [{ name: 'have', partitions: 1, internal: false }],
      createTopics: unused,
      offsets: unused,
      initProducer: unused,
      produce: unused,
      close: unused,
      topicAdmin: admin,
      // 'new': CREATE refused on cluster and topic; 'new2': the topic says nothing, CreateTopics refuses.
      access: probe(known('IDEMPOTENT_WRITE'), { have: known('WRITE'), new: known('WRITE'), new2: AuthorizedOperations.unknown }),
    };
    const check = await preflight(config, plan, sink, new MemoryBackend());
    assert.deepEqual(validated, [['new2']], 'a topic already known uncreatable is not asked about again');
    assert.deepEqual(described, [], 'configs of a topic without DESCRIBE_CONFIGS are not described');
    assert.equal(check.problems.length, 2);
    // Sorted: "new2" before "new:".
    assert.match(check.problems[1]!, /^target topic new: the principal User:bob may not CREATE it \(the restore creates it;/);
    assert.match(check.problems[0]!, /^target topic new2: the principal User:bob may not CREATE it \(CreateTopics answered TOPIC_AUTHORIZATION_FAILED;/);
    assert.deepEqual(check.warnings.map((w) => [w.topic, w.kind]), [['have', 'note']]);
    assert.match(check.warnings[0]!.message, /DESCRIBE_CONFIGS topic have/);
  });
});
