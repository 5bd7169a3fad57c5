// An in-memory GroupAdmin (the consumer-group seam) for unit tests: groups with committed offsets
// and members, and a record of every commit.
import type { CommittedOffset } from '../../src/format/group-offsets.js';
import type { GroupAdmin } from '../../src/kafka/group-admin.js';
import type { GroupDescription } from '../../src/kafka/transport.js';

export class FakeGroupAdmin implements GroupAdmin {
  readonly commits: { groupId: string; offsets: CommittedOffset[] }[] = [];
  /** groupId → committed offsets and members. */
  constructor(public groups: Record<string, { offsets: CommittedOffset[]; members?: number }> = {}) {}

  async listGroups(): Promise<string[]> {
    return Object.keys(this.groups).sort();
  }

  async committedOffsets(groupId: string, topics: string[]): Promise<CommittedOffset[]> {
    return (this.groups[groupId]?.offsets ?? []).filter((o) => topics.includes(o.topic));
  }

  async describeGroups(groupIds: string[]): Promise<GroupDescription[]> {
    return groupIds.map((id) => {
      const g = this.groups[id];
      const members = g?.members ?? 0;
      return { groupId: id, state: !g ? 'Dead' : members > 0 ? 'Stable' : 'Empty', members };
    });
  }

  async commitOffsets(groupId: string, offsets: CommittedOffset[]): Promise<void> {
    this.commits.push({ groupId, offsets });
    const g = (this.groups[groupId] ??= { offsets: [] });
    for (const o of offsets) g.offsets = [...g.offsets.filter((x) => x.topic !== o.topic || x.partition !== o.partition), o];
  }
}

export const committed = (topic: string, partition: number, offset: number, metadata: string | null = null): CommittedOffset => ({ topic, partition, offset, metadata });
