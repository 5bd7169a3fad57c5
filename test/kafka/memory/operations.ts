// Authorized operations (KIP-430) as a broker computes them: without an authorizer (or with
// allow.everyone.if.no.acl.found and no ACLs) every operation the resource type supports.
// MemoryKafka.authorizer narrows them per resource; 'denied' hides the resource.
import type { ClusterOperations, GroupOperations } from '../../../src/kafka/transport.js';
import type { MemoryKafka } from './cluster.js';
import { errorCode } from './errors.js';

const bits = (...codes: number[]) => codes.reduce((f, c) => f | (1 << c), 0);
/**
 * Kafka 4's AclEntry.supportedOperations: READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8,
 * CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12. Groups have had
 * configs since KIP-848, hence DESCRIBE_CONFIGS and ALTER_CONFIGS on them (the real broker says so).
 */
export const supportedOperations = {
  cluster: bits(5, 9, 10, 11, 12, 7, 8),
  topic: bits(3, 4, 5, 8, 6, 7, 10, 11),
  group: bits(3, 8, 6, 10, 11),
};
export const NOT_PROVIDED = -2147483648;

export function clusterOperations(kafka: MemoryKafka, topics: string[]): ClusterOperations {
  return {
    clusterAuthorizedOperations: kafka.authorizer.cluster ?? supportedOperations.cluster,
    topics: topics.map((name) => {
      const allowed = kafka.authorizer.topic?.(name) ?? supportedOperations.topic;
      if (allowed === 'denied') return { name, errorCode: errorCode('TOPIC_AUTHORIZATION_FAILED'), authorizedOperations: NOT_PROVIDED };
      return { name, errorCode: kafka.topics.has(name) ? 0 : errorCode('UNKNOWN_TOPIC_OR_PARTITION'), authorizedOperations: allowed };
    }),
  };
}

export function groupOperations(kafka: MemoryKafka, nodeId: number, groupIds: string[]): GroupOperations[] {
  return groupIds.map((groupId) => {
    if (kafka.coordinatorOf(groupId) !== nodeId) return { groupId, errorCode: errorCode('NOT_COORDINATOR'), authorizedOperations: NOT_PROVIDED };
    const allowed = kafka.authorizer.group?.(groupId) ?? supportedOperations.group;
    if (allowed === 'denied') return { groupId, errorCode: errorCode('GROUP_AUTHORIZATION_FAILED'), authorizedOperations: NOT_PROVIDED };
    return { groupId, errorCode: 0, authorizedOperations: allowed };
  });
}
