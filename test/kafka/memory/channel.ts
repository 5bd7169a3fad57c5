// One broker of the in-memory Kafka as the transport sees it (BrokerChannel). Every request passes
// the gate first: counted, faults applied (delay, broken connection, error), held while the broker
// is paused, bounded by its timeout. Produce requests on one channel are handled one at a time in
// order, as a Kafka broker handles the requests of one connection.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommittedOffset } from '../../../src/format/group-offsets.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP } from '../../../src/kafka/transport.js';
import type {
  BrokerChannel,
  ClusterOperations,
  FetchRequest,
  FetchResponse,
  GroupOperations,
  ProduceRequest,
  ProduceResponse,
  ProducerIdentity,
} from '../../../src/kafka/transport.js';
import type { KafkaSettings } from '../../../src/kafka/settings.js';
import type { MemoryKafka } from './cluster.js';
import { errorCode, protocolFailure, unreachable } from './errors.js';
import { handleFetch } from './fetch.js';
import { type ApiName, type RequestFaults, tpKey } from './faults.js';
import { offsetForTimestamp } from './list-offsets.js';
import { clusterOperations, groupOperations } from './operations.js';
import { handleProduce } from './produce.js';

type Partitions = { topic: string; partition: number }[];

export class MemoryBrokerChannel implements BrokerChannel {
  private produceChain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly nodeId: number,
    private readonly kafka: MemoryKafka,
    private readonly settings: KafkaSettings,
    private readonly isClosed: () => boolean,
  ) {}

  supports(apiKey: number, version: number): boolean {
    const range = this.kafka.apiVersions[apiKey];
    return range !== undefined && range[0] <= version && version <= range[1];
  }

  /**
   * Runs one request through the gate and `handle`; `lose-response` faults break the connection
   * after the broker handled it. Exported for the transport's cluster-wide requests.
   */
  async call<T>(api: ApiName, doing: string, handle: (faults: RequestFaults) => T | Promise<T>, opts: { timeoutMs?: number; partitions?: Partitions } = {}): Promise<T> {
    if (this.isClosed()) throw unreachable(doing, 'the connection is closed');
    const timeoutMs = opts.timeoutMs ?? this.settings.requestTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    const faults = this.kafka.faults.take(api, this.nodeId, opts.partitions);
    if (faults.delayMs > 0) {
      await sleep(Math.min(faults.delayMs, timeoutMs));
      if (faults.delayMs >= timeoutMs) throw unreachable(doing, `broker ${this.nodeId} did not answer in ${timeoutMs} ms (request timed out)`);
    }
    await this.kafka.available(this.nodeId, deadline, doing);
    if (faults.disconnect) throw unreachable(doing, `connection to broker ${this.nodeId} closed`);
    if (faults.requestError !== undefined) throw protocolFailure(faults.requestError, doing);
    const result = await handle(faults);
    if (Date.now() > deadline) throw unreachable(doing, `broker ${this.nodeId} did not answer in ${timeoutMs} ms (request timed out)`);
    if (faults.loseResponse) throw unreachable(doing, `connection to broker ${this.nodeId} closed before the response`);
    return result;
  }

  fetch(request: FetchRequest, timeoutMs: number): Promise<FetchResponse> {
    const partitions = request.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition })));
    return this.call('fetch', `fetching from broker ${this.nodeId}`, (f) => handleFetch(this.kafka, this.nodeId, request, f), { timeoutMs, partitions });
  }

  produce(request: ProduceRequest, timeoutMs: number): Promise<ProduceResponse> {
    const partitions = request.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition })));
    const run = () =>
      this.call('produce', `producing to broker ${this.nodeId}`, (f) => handleProduce(this.kafka, this.nodeId, request, f), { timeoutMs, partitions });
    const result = this.produceChain.then(run, run);
    this.produceChain = result.catch(() => undefined);
    return result;
  }

  listOffset(topic: string, partition: number, timestamp: number): Promise<{ errorCode: number; offset: number }> {
    return this.call(
      'listOffsets',
      `listing offsets of ${topic}/${partition} at broker ${this.nodeId}`,
      async (f) => {
        const injected = f.partitionErrors.get(tpKey(topic, partition));
        const part = this.kafka.topics.get(topic)?.partitions[partition];
        if (injected !== undefined) return { errorCode: injected, offset: -1 };
        if (part === undefined) return { errorCode: errorCode('UNKNOWN_TOPIC_OR_PARTITION'), offset: -1 };
        if (part.leader !== this.nodeId) return { errorCode: errorCode('NOT_LEADER_OR_FOLLOWER'), offset: -1 };
        if (timestamp === EARLIEST_TIMESTAMP) return { errorCode: 0, offset: part.log.logStartOffset };
        if (timestamp === LATEST_TIMESTAMP) return { errorCode: 0, offset: part.log.lastStableOffset };
        return { errorCode: 0, offset: await offsetForTimestamp(part.log, timestamp) };
      },
      { partitions: [{ topic, partition }] },
    );
  }

  initProducerId(): Promise<ProducerIdentity> {
    return this.call('initProducerId', `InitProducerId at broker ${this.nodeId}`, () => this.kafka.initProducerId());
  }

  findCoordinator(groupId: string): Promise<number> {
    return this.call('findCoordinator', `finding the coordinator of group ${groupId}`, () => this.kafka.coordinatorOf(groupId));
  }

  commitOffsets(groupId: string, offsets: CommittedOffset[]): Promise<void> {
    const doing = `committing offsets of consumer group ${groupId} at broker ${this.nodeId}`;
    return this.call('offsetCommit', doing, () => {
      if (this.kafka.coordinatorOf(groupId) !== this.nodeId) throw protocolFailure(errorCode('NOT_COORDINATOR'), doing);
      const existing = this.kafka.groups.get(groupId);
      if (existing !== undefined && existing.members > 0) {
        throw protocolFailure(errorCode('UNKNOWN_MEMBER_ID'), doing, 'the group has active members');
      }
      for (const o of offsets) {
        if (this.kafka.topics.get(o.topic)?.partitions[o.partition] === undefined) {
          throw protocolFailure(errorCode('UNKNOWN_TOPIC_OR_PARTITION'), doing, `${o.topic}/${o.partition}`);
        }
      }
      const g = this.kafka.group(groupId);
      for (const o of offsets) g.offsets.set(tpKey(o.topic, o.partition), { ...o });
    });
  }

  clusterOperations(topics: string[]): Promise<ClusterOperations> {
    return this.call('clusterOperations', `Metadata v8 at broker ${this.nodeId}`, () => clusterOperations(this.kafka, topics));
  }

  groupOperations(groupIds: string[]): Promise<GroupOperations[]> {
    return this.call('groupOperations', `DescribeGroups v3 at broker ${this.nodeId}`, () => groupOperations(this.kafka, this.nodeId, groupIds));
  }
}
