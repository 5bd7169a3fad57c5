// Backup side of consumer-group offsets: captures the committed offsets of the selected groups on
// the backed-up topics into `<id>/groups/<ms>.json` (src/format/group-offsets.ts). Snapshot mode
// captures once, before the end offsets are read, so a captured offset never points past the
// data the snapshot holds; continuous mode captures at start, every consumer_groups_interval_secs
// and at stop, storing a capture only when some offset changed since the last one stored, so
// "the latest capture at or before T" is the state as of T (to within one interval).
import type { Logger } from 'pino';
import { compileGroupSelector, literalGroups } from '../../config/groups.js';
import { KafkaBackupError } from '../../errors.js';
import { sameOffsets, writeGroupCapture, type CapturedGroup } from '../../format/group-offsets.js';
import type { GroupAdmin } from '../../kafka/group-admin.js';
import type { StorageBackend } from '../../storage/backend.js';
import { runPool } from '../shared/pool.js';

export interface GroupCaptureSettings {
  backupId: string;
  clusterId: string;
  /** backup.consumer_groups entries. */
  groups: readonly string[];
  /** The backed-up topics: offsets on other topics are not captured. */
  topics: readonly string[];
}

export class GroupCapturer {
  #last: CapturedGroup[] | undefined;
  #lastAt = 0;
  #chain: Promise<unknown> = Promise.resolve();

  /** Groups in the last capture stored. */
  get groupCount(): number {
    return this.#last?.length ?? 0;
  }

  constructor(
    private readonly storage: StorageBackend,
    private readonly admin: GroupAdmin | undefined,
    private readonly settings: GroupCaptureSettings,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    if (!admin) throw new KafkaBackupError('INTERNAL', 'backup.consumer_groups is set but the Kafka source cannot read consumer groups');
  }

  /**
   * Capture now; stores it unless it equals the last one stored. Returns the key written, if any.
   * Calls run one after another: an overlapping capture could store older offsets under a later time.
   */
  capture(): Promise<string | undefined> {
    const next = this.#chain.then(() => this.#capture());
    this.#chain = next.catch(() => undefined);
    return next;
  }

  async #capture(): Promise<string | undefined> {
    const admin = this.admin!;
    const select = compileGroupSelector(this.settings.groups);
    const ids = [...new Set([...(await admin.listGroups()).filter(select), ...literalGroups(this.settings.groups)])].sort();
    const states = new Map((await admin.describeGroups(ids)).map((g) => [g.groupId, g.state]));
    const groups: CapturedGroup[] = [];
    await runPool(ids, 8, async (id) => {
      const offsets = await admin.committedOffsets(id, [...this.settings.topics]);
      if (offsets.length > 0) groups.push({ group_id: id, state: states.get(id) ?? 'Unknown', offsets });
    });
    groups.sort((a, b) => (a.group_id < b.group_id ? -1 : a.group_id > b.group_id ? 1 : 0));
    if (this.#last && sameOffsets(this.#last, groups)) return undefined;
    // Keys are named by the millisecond: two captures never share one.
    const at = Math.max(this.now(), this.#lastAt + 1);
    const key = await writeGroupCapture(this.storage, {
      format_version: 1,
      backup_id: this.settings.backupId,
      captured_at: new Date(at).toISOString(),
      source_cluster_id: this.settings.clusterId,
      groups,
    });
    this.#last = groups;
    this.#lastAt = at;
    this.log.info({ key, groups: groups.length, offsets: groups.reduce((n, g) => n + g.offsets.length, 0) }, 'consumer-group offsets captured');
    return key;
  }
}
