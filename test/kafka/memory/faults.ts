// Fault injection for the in-memory Kafka: fail the next N requests of an API with a Kafka error
// code or a broken connection, delay them, optionally only on one broker or one partition, and
// only after the first `after` matching requests passed (so a test can hit "the Nth fetch").
// Every request is counted per API, so a test can learn how many there are and then fail each;
// observers see each request first (to move a leader at the third fetch, say).

export type ApiName =
  | 'metadata'
  | 'fetch'
  | 'produce'
  | 'listOffsets'
  | 'initProducerId'
  | 'findCoordinator'
  | 'offsetCommit'
  | 'offsetFetch'
  | 'createTopics'
  | 'describeConfigs'
  | 'listGroups'
  | 'describeGroups'
  | 'clusterOperations'
  | 'groupOperations';

/** Which requests a rule applies to. */
export interface FaultScope {
  /** Only requests sent to this broker. */
  broker?: number;
  /** Only data-plane requests carrying this partition (the error lands on it alone). */
  topic?: string;
  partition?: number;
  /** Let this many matching requests through first. */
  after?: number;
}

/**
 * `disconnect`: the connection breaks before the broker handles the request; `lose-response`: the
 * broker handles it (a produce is appended) and the connection breaks before the answer arrives.
 */
export type FaultAction = { errorCode: number } | 'disconnect' | 'lose-response';

interface Rule extends FaultScope {
  api: ApiName;
  action: FaultAction | { delayMs: number };
  remaining: number;
}

export interface RequestFaults {
  delayMs: number;
  disconnect: boolean;
  loseResponse: boolean;
  /** An error for the whole request (APIs without per-partition errors). */
  requestError?: number;
  /** Errors for single partitions of a Fetch, Produce or ListOffsets, by "topic/partition". */
  partitionErrors: Map<string, number>;
}

export const tpKey = (topic: string, partition: number): string => `${topic}/${partition}`;

export class Faults {
  private rules: Rule[] = [];
  private observers: { api: ApiName; fn: (n: number, broker: number) => void }[] = [];
  /** Requests handled so far, per API (including failed ones). */
  readonly counts = new Map<ApiName, number>();

  /** The next `times` matching requests of `api` fail with `action`. */
  failNext(api: ApiName, times: number, action: FaultAction, scope: FaultScope = {}): void {
    this.rules.push({ api, action, remaining: times, ...scope });
  }

  /** The next `times` matching requests of `api` wait `delayMs` before being handled. */
  delay(api: ApiName, delayMs: number, times = Number.POSITIVE_INFINITY, scope: FaultScope = {}): void {
    this.rules.push({ api, action: { delayMs }, remaining: times, ...scope });
  }

  /** Calls `fn` with the request's ordinal (1-based, per API) before each request of `api` is handled. */
  onRequest(api: ApiName, fn: (n: number, broker: number) => void): void {
    this.observers.push({ api, fn });
  }

  clear(): void {
    this.rules = [];
    this.observers = [];
  }

  count(api: ApiName): number {
    return this.counts.get(api) ?? 0;
  }

  /** Called once per request by a broker channel: which faults hit it. */
  take(api: ApiName, broker: number, partitions: { topic: string; partition: number }[] = []): RequestFaults {
    this.counts.set(api, this.count(api) + 1);
    for (const o of this.observers) if (o.api === api) o.fn(this.count(api), broker);
    const out: RequestFaults = { delayMs: 0, disconnect: false, loseResponse: false, partitionErrors: new Map() };
    for (const rule of this.rules) {
      if (rule.api !== api || rule.remaining <= 0) continue;
      if (rule.broker !== undefined && rule.broker !== broker) continue;
      const hit = partitions.filter(
        (p) => (rule.topic === undefined || rule.topic === p.topic) && (rule.partition === undefined || rule.partition === p.partition),
      );
      if ((rule.topic !== undefined || rule.partition !== undefined) && hit.length === 0) continue;
      if ((rule.after ?? 0) > 0) {
        rule.after!--;
        continue;
      }
      rule.remaining--;
      const action = rule.action;
      if (action === 'disconnect') out.disconnect = true;
      else if (action === 'lose-response') out.loseResponse = true;
      else if ('delayMs' in action) out.delayMs += action.delayMs;
      else if (partitions.length > 0) for (const p of hit) out.partitionErrors.set(tpKey(p.topic, p.partition), action.errorCode);
      else out.requestError = action.errorCode;
    }
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return out;
  }
}
