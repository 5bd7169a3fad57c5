// Asks the cluster what this connection's principal may do, without writing anything: Metadata v8
// for the cluster and topics, DescribeGroups v3 for consumer groups (wire/metadata.ts,
// wire/describe-groups.ts, sent over the transport's broker channels like the data plane's requests).
// Where the broker does not speak those versions, the answer is "unknown", never an error.
import type { Logger } from 'pino';
import { isKafkaBackupError } from '../errors.js';
import { AuthorizedOperations, clientPrincipal } from './authorized-operations.js';
import { withKafkaRetries } from './retry.js';
import type { BrokerChannel, KafkaTransport } from './transport.js';
import { DESCRIBE_GROUPS_API_KEY, DESCRIBE_GROUPS_AUTHORIZED_OPS_VERSION } from './wire/describe-groups.js';
import { METADATA_API_KEY, METADATA_AUTHORIZED_OPS_VERSION } from './wire/metadata.js';

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

export function kafkaAccessProbe(transport: KafkaTransport, log: Logger): AccessProbe {
  return {
    principal: clientPrincipal(transport.settings),

    async operations(topics) {
      const unknown: ClusterAccess = { cluster: AuthorizedOperations.unknown, topics: new Map(topics.map((t) => [t, AuthorizedOperations.unknown])) };
      const broker = await transport.anyBroker();
      if (!broker.supports(METADATA_API_KEY, METADATA_AUTHORIZED_OPS_VERSION)) return unknown;
      const res = await broker.clusterOperations(topics);
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
    },

    async groupRead(groupIds) {
      const out = new Map<string, boolean | undefined>();
      const byCoordinator = new Map<number, { broker: BrokerChannel; groups: string[] }>();
      for (const groupId of new Set(groupIds)) {
        let broker: BrokerChannel;
        try {
          // FindCoordinator asked of one broker, so a refusal comes back as such (kafkajs's
          // cluster-level lookup turns it into "coordinator not found"). It needs DESCRIBE on the
          // group, which READ implies.
          const nodeId = await withKafkaRetries(transport.settings, log, `finding the coordinator of consumer group ${groupId}`, async () =>
            (await transport.anyBroker()).findCoordinator(groupId),
          );
          broker = await transport.broker(nodeId);
        } catch (err) {
          if (isKafkaBackupError(err, 'KAFKA_AUTH') && err.details.kafkaError === 'GROUP_AUTHORIZATION_FAILED') {
            out.set(groupId, false);
            continue;
          }
          throw err;
        }
        const entry = byCoordinator.get(broker.nodeId) ?? { broker, groups: [] };
        entry.groups.push(groupId);
        byCoordinator.set(broker.nodeId, entry);
      }
      for (const { broker, groups } of byCoordinator.values()) {
        if (!broker.supports(DESCRIBE_GROUPS_API_KEY, DESCRIBE_GROUPS_AUTHORIZED_OPS_VERSION)) {
          for (const g of groups) out.set(g, undefined);
          continue;
        }
        const res = await broker.groupOperations(groups);
        for (const g of groups) {
          const d = res.find((x) => x.groupId === g);
          if (d?.errorCode === GROUP_AUTHORIZATION_FAILED) out.set(g, false);
          // Any other error (the coordinator moved, is loading): the broker did not say.
          else out.set(g, d?.errorCode === 0 ? AuthorizedOperations.fromField(d.authorizedOperations).allows('READ') : undefined);
        }
      }
      return out;
    },
  };
}
