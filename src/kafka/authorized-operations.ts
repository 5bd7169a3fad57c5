// What a principal may do on a resource, as the broker reports it (KIP-430 "authorized
// operations"): a 32-bit field with bit N set when operation code N (Kafka's AclOperation) is
// allowed. The broker computes it with its authorizer, so it already accounts for DENY ACLs, super
// users, allow.everyone.if.no.acl.found and implied operations (WRITE implies DESCRIBE).
//
// What the field cannot say is kept as "unknown", never guessed:
// - -2147483648 (Integer.MIN_VALUE): the broker sent nothing (not asked, or a version without it).
// - a field without DESCRIBE: the broker computes the field only for resources the principal may
//   DESCRIBE, and answers 0 (cluster) or TOPIC_AUTHORIZATION_FAILED (topic) otherwise. Then
//   DESCRIBE and the operations that imply it are known to be missing, the others are unknown.
// Without an authorizer the broker reports every operation as allowed.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { KafkaSettings } from './settings.js';

/** Kafka's AclOperation codes (org.apache.kafka.common.acl.AclOperation). */
export const aclOperation = {
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
} as const;
export type AclOperationName = keyof typeof aclOperation;

/** The field's value when the broker provided no authorized operations. */
export const OPERATIONS_NOT_PROVIDED = -2147483648;

/** Operations that an ALLOW implies DESCRIBE for; without DESCRIBE none of them can be allowed. */
const IMPLY_DESCRIBE: ReadonlySet<AclOperationName> = new Set(['READ', 'WRITE', 'DELETE', 'ALTER', 'DESCRIBE']);

export class AuthorizedOperations {
  private constructor(
    private readonly bits: number | undefined,
    private readonly describeDenied: boolean,
  ) {}

  /** Nothing is known (no authorizer information). */
  static readonly unknown = new AuthorizedOperations(undefined, false);
  /** The principal may not DESCRIBE the resource: the broker said so instead of sending a field. */
  static readonly describeDenied = new AuthorizedOperations(undefined, true);

  /** From the field of a Metadata / DescribeGroups / DescribeCluster response. */
  static fromField(field: number): AuthorizedOperations {
    if (field === OPERATIONS_NOT_PROVIDED) return AuthorizedOperations.unknown;
    if ((field & (1 << aclOperation.DESCRIBE)) === 0) return AuthorizedOperations.describeDenied;
    return new AuthorizedOperations(field, false);
  }

  /** true: allowed; false: the principal lacks it; undefined: the broker did not say. */
  allows(op: AclOperationName): boolean | undefined {
    if (this.bits !== undefined) return (this.bits & (1 << aclOperation[op])) !== 0;
    if (this.describeDenied && IMPLY_DESCRIBE.has(op)) return false;
    return undefined;
  }
}

/** The `kafka-acls --operation` spelling: WRITE → Write, DESCRIBE_CONFIGS → DescribeConfigs. */
export function aclToolOperation(op: AclOperationName): string {
  return op
    .split('_')
    .map((w) => w[0] + w.slice(1).toLowerCase())
    .join('');
}

export type AclResource = { type: 'cluster' } | { type: 'topic'; name: string } | { type: 'group'; name: string };

/** The kafka-acls command that grants `op` on `resource` to `principal`. */
export function grantCommand(principal: string, op: AclOperationName, resource: AclResource): string {
  const target = resource.type === 'cluster' ? '--cluster' : `--${resource.type} ${shellWord(resource.name)}`;
  return `kafka-acls --add --allow-principal ${shellWord(principal)} --operation ${aclToolOperation(op)} ${target}`;
}

function shellWord(s: string): string {
  return /^[\w.:=,@/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The principal the broker most likely sees for these settings, with Kafka's default principal
 * builder: the SASL user; else the client certificate's subject (RFC 2253 order); else ANONYMOUS.
 * Custom principal builders and ssl.principal.mapping.rules can map it to another name.
 */
export function clientPrincipal(settings: Pick<KafkaSettings, 'sasl' | 'ssl'>): string {
  if (settings.sasl) return `User:${settings.sasl.username}`;
  const certFile = settings.ssl?.certFile;
  if (certFile) {
    try {
      const subject = new X509Certificate(readFileSync(certFile)).subject;
      return `User:${subject.split('\n').reverse().join(',')}`;
    } catch {
      return `User:<subject of ${certFile}>`;
    }
  }
  return 'User:ANONYMOUS';
}
