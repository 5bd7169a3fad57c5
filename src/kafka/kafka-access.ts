// Asks the cluster what this connection's principal may do, without writing anything: Metadata v8
// for the cluster and topics, DescribeGroups v3 for consumer groups (wire/metadata.ts,
// wire/describe-groups.ts, sent over kafkajs's connections like the data plane's requests).
// Where the broker does not speak those versions, the answer is "unknown", never an error.
import type { Logger } from 'pino';
import { KafkaBackupError, isKafkaBackupError } from '../errors.js';
import { AuthorizedOperations, clientPrincipal } from './authorized-operations.js';
import type { KafkaConnection } from './connection.js';
import { translateKafkaError } from './errors.js';
import type { KjsBroker } from './kafkajs-internals.js';
import { withKafkaRetries } from './retry.js';
import {
  DESCRIBE_GROUPS_API_KEY,
  DESCRIBE_GROUPS_AUTHORIZED_OPS_VERSION,
  describeGroupsOperationsRequest,
  describeGroupsOperationsResponse,
} from './wire/describe-groups.js';
import {
  METADATA_API_KEY,
  METADATA_AUTHORIZED_OPS_VERSION,
  metadataOperationsRequest,
  metadataOperationsResponse,
} from './wire/metadata.js';

const TOPIC_AUTHORIZATION_FAILED = 29;
const GROUP_AUTHORIZATION_FAILED = 30;

export interface ClusterAccess {
  cluster: AuthorizedOperations;
  /** Every asked topic, whether it exists or not (ACLs name topics, not their existence). */
  topics: Map<string, AuthorizedOperations>;
}

/** The control-plane questions about permissions; each asks, never writes. */
export interface AccessProbe {
  /** The principal as the client expects the broker to see it, for messages ("User:alice"). */
  readonly principal: string;
  /** Operations allowed on the cluster and on each named topic. */
  operations(topics: string[]): Promise<ClusterAccess>;
  /**
   * Whether the principal may READ each consumer group, which committing offsets for it requires:
   * true, false, or undefined where the broker does not say (no authorizer information).
   */
  groupRead(groupIds: string[]): Promise<Map<string, boolean | undefined>>;
}

function supports(broker: KjsBroker, apiKey: number, version: number): boolean {
  const v = broker.versions?.[apiKey];
  return v !== undefined && v.minVersion <= version && version <= v.maxVersion;
}

export function kafkaAccessProbe(conn: KafkaConnection, log: Logger): AccessProbe {
  return {
    principal: clientPrincipal(conn.settings),

    async operations(topics) {
      const unknown: ClusterAccess = { cluster: AuthorizedOperations.unknown, topics: new Map(topics.map((t) => [t, AuthorizedOperations.unknown])) };
      try {
        const broker = await anyBroker(conn);
        if (!supports(broker, METADATA_API_KEY, METADATA_AUTHORIZED_OPS_VERSION)) return unknown;
        const res = await broker.connectionPool.send({ request: metadataOperationsRequest(topics), response: metadataOperationsResponse });
        const answered = new Map(
          res.topics.map((t) => [
            t.name,
            t.errorCode === TOPIC_AUTHORIZATION_FAILED ? AuthorizedOperations.describeDenied : AuthorizedOperations.fromField(t.authorizedOperations),
          ]),
        );
        return {
          cluster: AuthorizedOperations.fromField(res.clusterAuthorizedOperations),
          topics: new Map(topics.map((t) => [t, answered.get(t) ?? AuthorizedOperations.unknown])),
        };
      } catch (err) {
        throw translateKafkaError(err, 'asking the cluster for the authorized operations of the restore principal (Metadata v8)');
      }
    },

    async groupRead(groupIds) {
      const out = new Map<string, boolean | undefined>();
      const byCoordinator = new Map<number, { broker: KjsBroker; groups: string[] }>();
      for (const groupId of new Set(groupIds)) {
        let broker: KjsBroker;
        try {
          // FindCoordinator asked of one broker: kafkajs's cluster-level lookup turns a refusal into
          // "coordinator not found". It needs DESCRIBE on the group, which READ implies.
          const found = await withKafkaRetries(conn.settings, log, `finding the coordinator of consumer group ${groupId}`, async () => {
            try {
              return await (await anyBroker(conn)).findGroupCoordinator({ groupId });
            } catch (err) {
              throw translateKafkaError(err, `finding the coordinator of consumer group ${groupId}`);
            }
          });
          broker = await conn.cluster.findBroker({ nodeId: found.coordinator.nodeId });
        } catch (err) {
          if (isKafkaBackupError(err, 'KAFKA_AUTH') && (err.cause as { type?: string } | undefined)?.type === 'GROUP_AUTHORIZATION_FAILED') {
            out.set(groupId, false);
            continue;
          }
          throw translateKafkaError(err, `finding the coordinator of consumer group ${groupId}`);
        }
        const entry = byCoordinator.get(broker.nodeId) ?? { broker, groups: [] };
        entry.groups.push(groupId);
        byCoordinator.set(broker.nodeId, entry);
      }
      for (const { broker, groups } of byCoordinator.values()) {
        if (!supports(broker, DESCRIBE_GROUPS_API_KEY, DESCRIBE_GROUPS_AUTHORIZED_OPS_VERSION)) {
          for (const g of groups) out.set(g, undefined);
          continue;
        }
        let res;
        try {
          res = await broker.connectionPool.send({ request: describeGroupsOperationsRequest(groups), response: describeGroupsOperationsResponse });
        } catch (err) {
          throw translateKafkaError(err, `describing consumer groups ${groups.join(', ')}`);
        }
        for (const g of groups) {
          const d = res.groups.find((x) => x.groupId === g);
          if (d?.errorCode === GROUP_AUTHORIZATION_FAILED) out.set(g, false);
          // Any other error (the coordinator moved, is loading): the broker did not say.
          else out.set(g, d?.errorCode === 0 ? AuthorizedOperations.fromField(d.authorizedOperations).allows('READ') : undefined);
        }
      }
      return out;
    },
  };
}

/** A connected broker, any: every broker answers Metadata for the whole cluster. */
async function anyBroker(conn: KafkaConnection): Promise<KjsBroker> {
  if (!conn.cluster.brokerPool.metadata) await conn.cluster.refreshMetadata();
  const nodeId = conn.cluster.brokerPool.metadata?.brokers[0]?.nodeId;
  if (nodeId === undefined) throw new KafkaBackupError('KAFKA_UNREACHABLE', 'the cluster metadata lists no brokers', { retryable: true });
  return conn.cluster.findBroker({ nodeId });
}
