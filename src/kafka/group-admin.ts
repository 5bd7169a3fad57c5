// Consumer groups on a cluster: what a backup captures (committed offsets of selected groups) and
// how a restore commits translated offsets. Commits use OffsetCommit with generation -1 and an
// empty member id, as Kafka's own admin tools do: the coordinator accepts them only for a group
// without members, so a running consumer is never moved under its feet.
import type { CommittedOffset } from '../format/group-offsets.js';
import type { GroupDescription, KafkaTransport } from './transport.js';

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

export function kafkaGroupAdmin(transport: KafkaTransport): GroupAdmin {
  return {
    async listGroups() {
      return (await transport.listGroups()).sort();
    },
    async committedOffsets(groupId, topics) {
      if (topics.length === 0) return [];
      const offsets = await transport.committedOffsets(groupId, topics);
      return offsets.filter((o) => o.offset >= 0).sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    },
    async describeGroups(groupIds) {
      if (groupIds.length === 0) return [];
      return transport.describeGroups(groupIds);
    },
    async commitOffsets(groupId, offsets) {
      if (offsets.length === 0) return;
      const coordinator = await transport.groupCoordinator(groupId);
      await coordinator.commitOffsets(groupId, offsets);
    },
  };
}
