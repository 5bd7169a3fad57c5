import { KafkaBackupError } from '../../errors.js';
import { verifyBackup } from '../../inspect/verify.js';
import { storageFrom, type CommandContext } from '../context.js';
import { bytes } from '../format.js';

/**
 * `verify`: read a whole backup back and check every checksum, without touching Kafka
 * (src/inspect/verify.ts). Missing or unreadable objects (backup.json, a partition manifest, a
 * segment) are problems like a bad checksum: exit 3, each named.
 */
export async function verifyCommand(opts: { config?: string; path?: string; backupId?: string; quick?: boolean }, ctx: CommandContext): Promise<void> {
  const { storage, config } = await storageFrom(opts, ctx.log);
  try {
    const id = opts.backupId ?? config?.backup_id;
    if (!id) throw new KafkaBackupError('USAGE', 'verify needs --backup-id (or a --config naming backup_id)');
    const v = await verifyBackup(storage, id, { deep: !opts.quick });
    const ok = v.problems.length === 0;
    ctx.report(
      { backup_id: id, ok, partitions: v.partitions, segments: v.segments, bytes: v.bytes, problems: v.problems },
      ok ? `Backup ${id}: ${v.partitions} partitions, ${v.segments} segments, ${bytes(v.bytes)}, all intact${opts.quick ? ' (quick: existence and sizes only)' : ''}` : undefined,
    );
    if (!ok) {
      throw new KafkaBackupError('BACKUP_CORRUPT', `backup ${id} has ${v.problems.length} problem(s): missing, unreadable or damaged objects:\n  - ${v.problems.join('\n  - ')}`, { backupId: id });
    }
  } finally {
    await storage.close();
  }
}
