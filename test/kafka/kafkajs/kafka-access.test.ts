// The access probe over the kafkajs transport on a fake kafkajs cluster: which request goes to
// which broker, and how each broker answer becomes allowed / denied / unknown. The responses are
// the bytes a broker sends, decoded by the real response decoders.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Admin } from 'kafkajs';
import pino from 'pino';
import { kafkaAccessProbe } from '../../../src/kafka/kafka-access.js';
import type { KjsBroker, KjsCluster, KjsRequest, KjsResponse } from '../../../src/kafka/kafkajs/internals.js';
import { KafkajsTransport } from '../../../src/kafka/kafkajs/transport.js';
import type { KafkaSettings } from '../../../src/kafka/settings.js';
import type { KafkaTransport } from '../../../src/kafka/transport.js';
import { array, cat, i16, i32, i8, str } from '../wire/bytes.js';

const log = pino({ level: 'silent' });
const NOT_PROVIDED = -2147483648;
const ops = (...codes: number[]) => codes.reduce((b, c) => b | (1 << c), 0);
const DESCRIBE = 8;
const READ = 3;
const WRITE = 4;
const CREATE = 5;

interface FakeBroker {
  nodeId: number;
  versions: Record<number, { minVersion: number; maxVersion: number }>;
  /** group → coordinator node id, or a Kafka error type. */
  coordinators?: Record<string, number | string>;
  /** Raw response payload for a request (apiKey, decoded request body). */
  answer?(req: KjsRequest, body: Buffer): Buffer;
}

function fakeConnection(brokers: FakeBroker[], sent: { node: number; apiKey: number; apiVersion: number; body: Buffer }[] = []): KafkaTransport {
  const kjs = (b: FakeBroker): KjsBroker =>
    ({
      nodeId: b.nodeId,
      versions: b.versions,
      async findGroupCoordinator({ groupId }: { groupId: string }) {
        const c = b.coordinators?.[groupId];
        if (typeof c === 'string') throw Object.assign(new Error(`Kafka says ${c}`), { name: 'KafkaJSProtocolError', type: c, retriable: false });
        if (c === undefined) throw new Error(`unexpected FindCoordinator for ${groupId}`);
        return { coordinator: { nodeId: c } };
      },
      connectionPool: {
        async send<T>({ request, response }: { request: KjsRequest; response: KjsResponse<T> }): Promise<T> {
          const body = (await request.encode()).buffer;
          sent.push({ node: b.nodeId, apiKey: request.apiKey, apiVersion: request.apiVersion, body });
          return response.parse(await response.decode(b.answer!(request, body)));
        },
      },
    }) as unknown as KjsBroker;
  const byId = new Map(brokers.map((b) => [b.nodeId, kjs(b)]));
  const settings = { bootstrapServers: ['h:1'], sasl: { mechanism: 'SCRAM-SHA-512', username: 'bob', password: 'p' }, retries: 2, retryBackoffMs: 1 } as KafkaSettings;
  const cluster = {
    brokerPool: { metadata: { brokers: brokers.map((b) => ({ nodeId: b.nodeId, host: 'h', port: 1 })) } },
    refreshMetadata: async () => undefined,
    findBroker: async ({ nodeId }: { nodeId: number }) => byId.get(nodeId)!,
  } as unknown as KjsCluster;
  return new KafkajsTransport(settings, {} as Admin, cluster);
}

const groupsAnswer = (groups: [id: string, error: number, field: number][]) =>
  cat(i32(0), array(groups.map(([id, error, field]) => cat(i16(error), str(id), str('Empty'), str('consumer'), str(''), array([]), i32(field)))));

describe('groupRead', () => {
  test('asks each coordinator about its groups; READ from the operations, GROUP_AUTHORIZATION_FAILED from either call is false', async () => {
    const sent: { node: number; apiKey: number; apiVersion: number; body: Buffer }[] = [];
    const conn = fakeConnection(
      [
        { nodeId: 1, versions: { 15: { minVersion: 0, maxVersion: 5 } }, coordinators: { a: 1, b: 2, c: 1, hidden: 'GROUP_AUTHORIZATION_FAILED', d: 2 }, answer: () => groupsAnswer([['a', 0, ops(DESCRIBE, READ)], ['c', 0, ops(DESCRIBE)]]) },
        { nodeId: 2, versions: { 15: { minVersion: 0, maxVersion: 5 } }, answer: () => groupsAnswer([['b', 30, NOT_PROVIDED], ['d', 16, NOT_PROVIDED]]) },
      ],
      sent,
    );
    const probe = kafkaAccessProbe(conn, log);
    assert.equal(probe.principal, 'User:bob');
    const read = await probe.groupRead(['a', 'b', 'c', 'hidden', 'd', 'a']);
    // d: NOT_COORDINATOR, the broker did not say.
    assert.deepEqual(Object.fromEntries(read), { a: true, b: false, c: false, hidden: false, d: undefined });
    assert.deepEqual(
      sent.map((s) => [s.node, s.apiKey, s.apiVersion, s.body.toString('hex')]),
      [
        [1, 15, 3, cat(array([str('a'), str('c')]), i8(1)).toString('hex')],
        [2, 15, 3, cat(array([str('b'), str('d')]), i8(1)).toString('hex')],
      ],
    );
  });

  test('a coordinator without DescribeGroups v3 says nothing', async () => {
    const conn = fakeConnection([{ nodeId: 1, versions: { 15: { minVersion: 0, maxVersion: 2 } }, coordinators: { a: 1 } }]);
    assert.deepEqual(Object.fromEntries(await kafkaAccessProbe(conn, log).groupRead(['a'])), { a: undefined });
  });

  test('other FindCoordinator failures are errors, not answers', async () => {
    const conn = fakeConnection([{ nodeId: 1, versions: {}, coordinators: { a: 'INVALID_REQUEST' } }]);
    await assert.rejects(kafkaAccessProbe(conn, log).groupRead(['a']), { code: 'KAFKA_PROTOCOL' });
  });
});

describe('operations', () => {
  const metadataAnswer = (cluster: number, topics: [name: string, error: number, field: number][]) =>
    cat(i32(0), array([]), str('c'), i32(1), array(topics.map(([n, e, f]) => cat(i16(e), str(n), i8(0), array([]), i32(f)))), i32(cluster));

  test('Metadata v8 for the named topics: cluster and per-topic operations, TOPIC_AUTHORIZATION_FAILED as describe-denied', async () => {
    const sent: { node: number; apiKey: number; apiVersion: number; body: Buffer }[] = [];
    const conn = fakeConnection(
      [{ nodeId: 7, versions: { 3: { minVersion: 4, maxVersion: 13 } }, answer: () => metadataAnswer(ops(DESCRIBE, CREATE), [['t1', 0, ops(DESCRIBE, WRITE)], ['t2', 29, NOT_PROVIDED], ['new', 3, ops(DESCRIBE)]]) }],
      sent,
    );
    const r = await kafkaAccessProbe(conn, log).operations(['t1', 't2', 'new', 'unanswered']);
    assert.deepEqual(sent.map((s) => [s.apiKey, s.apiVersion]), [[3, 8]]);
    assert.equal(r.cluster.allows('CREATE'), true);
    assert.equal(r.cluster.allows('IDEMPOTENT_WRITE'), false);
    assert.deepEqual([...r.topics].map(([t, a]) => [t, a.allows('DESCRIBE'), a.allows('WRITE'), a.allows('CREATE')]), [
      ['t1', true, true, false],
      ['t2', false, false, undefined],
      ['new', true, false, false],
      ['unanswered', undefined, undefined, undefined],
    ]);
  });

  test('a broker without Metadata v8 says nothing, and is not asked', async () => {
    const conn = fakeConnection([{ nodeId: 1, versions: { 3: { minVersion: 0, maxVersion: 7 } } }]);
    const r = await kafkaAccessProbe(conn, log).operations(['t']);
    assert.equal(r.cluster.allows('CREATE'), undefined);
    assert.equal(r.topics.get('t')!.allows('WRITE'), undefined);
  });
});
