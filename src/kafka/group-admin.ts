// Consumer groups on a cluster: what a backup captures (committed offsets of selected groups) and
// how a restore commits translated offsets. Commits use OffsetCommit with generation -1 and an
// empty member id, as Kafka's own admin tools do: the coordinator accepts them only for a group
// without members, so a running consumer is never moved under its feet.
import type { CommittedOffset } from '../format/group-offsets.js';
import type { KafkaConnection } from './connection.js';
import { translateKafkaError } from './errors.js';
import { safeInt64 } from '../records/int64.js';

export interface GroupDescription {
  groupId: string;
  /** Kafka's group state: Empty, Stable, PreparingRebalance, CompletingRebalance, Dead. */
  state: string;
  members: number;
}

export interface GroupAdmin {
  /** Every consumer group id the cluster knows. */
  listGroups(): Promise<string[]>;
  /** The group's committed offsets on these topics (partitions without a commit are left out). */
  committedOffsets(groupId: string, topics: string[]): Promise<CommittedOffset[]>;
  describeGroups(groupIds: string[]): Promise<GroupDescription[]>;
  /** Commit offsets for a group with no members; KAFKA_PROTOCOL naming the group otherwise. */
  commitOffsets(groupId: string, offsets: CommittedOffset[]): Promise<void>;
}

/** A group is active when it has members; only inactive groups may be committed. */
export function isActive(g: GroupDescription): boolean {
  return g.members > 0 || !['Empty', 'Dead'].includes(g.state);
}

export function kafkaGroupAdmin(conn: KafkaConnection): GroupAdmin {
  const where = conn.settings.bootstrapServers.join(',');
  return {
    async listGroups() {
      try {
        const { groups } = await conn.admin.listGroups();
        return groups.map((g) => g.groupId).sort();
      } catch (err) {
        throw translateKafkaError(err, `listing consumer groups on ${where}`);
      }
    },
    async committedOffsets(groupId, topics) {
      if (topics.length === 0) return [];
      try {
        const res = await conn.admin.fetchOffsets({ groupId, topics });
        const out: CommittedOffset[] = [];
        for (const t of res) {
          for (const p of t.partitions) {
            const offset = safeInt64(p.offset, `OffsetFetch response ${groupId} ${t.topic}/${p.partition} committed_offset`);
            if (offset >= 0) out.push({ topic: t.topic, partition: p.partition, offset, metadata: p.metadata ?? null });
          }
        }
        return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
      } catch (err) {
        throw translateKafkaError(err, `reading the committed offsets of consumer group ${groupId} on ${where}`);
      }
    },
    async describeGroups(groupIds) {
      if (groupIds.length === 0) return [];
      try {
        const { groups } = await conn.admin.describeGroups(groupIds);
        return groups.map((g) => ({ groupId: g.groupId, state: g.state, members: g.members.length }));
      } catch (err) {
        throw translateKafkaError(err, `describing consumer groups on ${where}`);
      }
    },
    async commitOffsets(groupId, offsets) {
      if (offsets.length === 0) return;
      const doing = `committing offsets of consumer group ${groupId} on ${where}`;
      const byTopic = new Map<string, CommittedOffset[]>();
      for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
      // kafkajs's OffsetCommit response parser throws on the first partition error code.
      try {
        const coordinator = await conn.cluster.findGroupCoordinator({ groupId });
        await coordinator.offsetCommit({
          groupId,
          groupGenerationId: -1,
          memberId: '',
          topics: [...byTopic].map(([topic, os]) => ({
            topic,
            partitions: os.map((o) => ({ partition: o.partition, offset: String(o.offset), metadata: o.metadata })),
          })),
        });
      } catch (err) {
        throw translateKafkaError(err, doing);
      }
    },
  };
}
