// The restore's permission preflight: whether the target's authorizer lets the restore's principal
// do what the restore will do, asked without writing (src/kafka/kafka-access.ts). Each missing
// permission is one problem naming the principal, the operation, the resource and the kafka-acls
// command that grants it, so `validate-restore` lists them and `restore` stops before producing.
// What the broker does not say (no authorizer information, or DESCRIBE on the cluster missing, so
// its operations are hidden) is not reported; CreateTopics validate_only still answers for creation.
//
// What the restore needs, from Kafka's KafkaApis:
// - every target topic: DESCRIBE (metadata, ListOffsets) and WRITE (Produce);
// - every topic it creates: CREATE on the cluster or on the topic;
// - InitProducerId (idempotent, no transactional id): IDEMPOTENT_WRITE on the cluster or WRITE on a topic;
// - comparing an existing topic's configs with the backup: DESCRIBE_CONFIGS (only a note without it).
import {
  grantCommand,
  type AclOperationName,
  type AclResource,
  type AuthorizedOperations,
} from '../../../kafka/authorized-operations.js';
import type { AccessProbe } from '../../../kafka/kafka-access.js';

export interface AuthorizationCheck {
  problems: string[];
  /** Per topic: what could not be checked and why (kind 'note' of the preflight's warnings). */
  notes: { topic: string; message: string }[];
  /** Topics to create that the principal may not create: CreateTopics need not be asked again. */
  cannotCreate: Set<string>;
  /** Existing topics whose configs the principal may not describe: not compared. */
  cannotDescribeConfigs: Set<string>;
}

export interface RestoreTopics {
  /** Target topics that exist. */
  existing: string[];
  /** Target topics the restore would create. */
  create: string[];
  /** Existing target topics whose configs the restore compares with the backup. */
  compareConfigs: string[];
}

const WHY: Partial<Record<AclOperationName, string>> = {
  DESCRIBE: 'the restore looks up its partitions, leaders and offsets',
  WRITE: 'the restore produces to it',
  CREATE: 'the restore creates it; CREATE on the cluster or on the topic allows that',
};

export async function checkRestoreAuthorization(probe: AccessProbe | undefined, topics: RestoreTopics): Promise<AuthorizationCheck> {
  const check: AuthorizationCheck = { problems: [], notes: [], cannotCreate: new Set(), cannotDescribeConfigs: new Set() };
  const targets = [...new Set([...topics.existing, ...topics.create])];
  if (!probe || targets.length === 0) return check;
  const { principal } = probe;
  const access = await probe.operations(targets);
  const of = (topic: string): AuthorizedOperations => access.topics.get(topic)!;

  for (const topic of targets) {
    for (const op of ['DESCRIBE', 'WRITE'] as const) {
      if (of(topic).allows(op) === false) check.problems.push(missing(principal, op, topic, WHY[op]!));
    }
  }
  for (const topic of new Set(topics.create)) {
    // Either grant suffices; only two known refusals make a problem. An unknown one is left to
    // CreateTopics validate_only, which the preflight asks next.
    if (access.cluster.allows('CREATE') === false && of(topic).allows('CREATE') === false) {
      check.problems.push(missing(principal, 'CREATE', topic, WHY.CREATE!));
      check.cannotCreate.add(topic);
    }
  }
  if (access.cluster.allows('IDEMPOTENT_WRITE') === false && !targets.some((t) => of(t).allows('WRITE') === true)) {
    check.problems.push(
      `the principal ${principal} may not IDEMPOTENT_WRITE on the cluster nor WRITE to any target topic, and the restore's ` +
        `idempotent producer (InitProducerId) needs one of them; the ACL that grants it: ${grantCommand(principal, 'IDEMPOTENT_WRITE', { type: 'cluster' })}`,
    );
  }
  for (const topic of new Set(topics.compareConfigs)) {
    if (of(topic).allows('DESCRIBE_CONFIGS') !== false) continue;
    check.cannotDescribeConfigs.add(topic);
    check.notes.push({
      topic,
      message:
        `cannot compare the configs of ${topic} with the backup: the principal ${principal} may not DESCRIBE_CONFIGS topic ${topic}; ` +
        `the ACL that grants it: ${grant(principal, 'DESCRIBE_CONFIGS', topic)}`,
    });
  }
  check.problems.sort();
  return check;
}

/**
 * A CreateTopics refusal that is an authorization failure, as the same kind of problem as above;
 * undefined for any other reason (a bad config, an impossible replication factor).
 */
export function createRefusalProblem(principal: string | undefined, topic: string, reason: string): string | undefined {
  const code = /^(TOPIC|CLUSTER)_AUTHORIZATION_FAILED/.exec(reason)?.[0];
  if (!code) return undefined;
  return missing(principal ?? 'User:<the restore principal>', 'CREATE', topic, `CreateTopics answered ${code}; ${WHY.CREATE!}`);
}

function missing(principal: string, op: AclOperationName, topic: string, why: string): string {
  return `target topic ${topic}: the principal ${principal} may not ${op} it (${why}); the ACL that grants it: ${grant(principal, op, topic)}`;
}

function grant(principal: string, op: AclOperationName, topic: string): string {
  const resource: AclResource = { type: 'topic', name: topic };
  return grantCommand(principal, op, resource);
}
