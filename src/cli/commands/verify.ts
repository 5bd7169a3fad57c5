import { KafkaBackupError } from '../../errors.js';
import { damagedSegments, takeInventory } from '../../inspect/inventory.js';
import { verifyPartitions } from '../../inspect/verify.js';
import { storageFrom, type CommandContext } from '../context.js';
import { bytes } from '../format.js';

/**
 * `verify`: read a whole backup back and check every checksum, without touching Kafka. Missing or
 * unreadable objects (backup.json, a partition manifest, a segment) are problems like a bad
 * checksum: exit 3, each named.
 */
export async function verifyCommand(opts: { config?: string; path?: string; backupId?: string; quick?: boolean }, ctx: CommandContext): Promise<void> {
  const { storage, config } = await storageFrom(opts, ctx.log);
  try {
    const id = opts.backupId ?? config?.backup_id;
    if (!id) throw new KafkaBackupError('USAGE', 'verify needs --backup-id (or a --config naming backup_id)');
    const inv = await takeInventory(storage, id);
    if (!inv.exists) throw new KafkaBackupError('BACKUP_NOT_FOUND', `no backup "${id}" at ${storage.location} (see \`kafka-backup status\` for the backups there)`);
    const manifests = inv.partitions.flatMap((p) => (p.manifest ? [p.manifest] : []));
    const listed = manifests.flatMap((m) => m.segments);
    const result = await verifyPartitions(storage, manifests, { deep: !opts.quick, skip: damagedSegments(inv.damage) });
    const problems = [...inv.damage.map((d) => d.message), ...result.problems];
    const summary = { segments: listed.length, bytes: listed.reduce((n, s) => n + s.stored_bytes, 0) };
    const ok = problems.length === 0;
    ctx.report(
      { backup_id: id, ok, partitions: inv.partitions.length, ...summary, problems },
      ok ? `Backup ${id}: ${inv.partitions.length} partitions, ${summary.segments} segments, ${bytes(summary.bytes)}, all intact${opts.quick ? ' (quick: existence and sizes only)' : ''}` : undefined,
    );
    if (!ok) {
      throw new KafkaBackupError('BACKUP_CORRUPT', `backup ${id} has ${problems.length} problem(s): missing, unreadable or damaged objects:\n  - ${problems.join('\n  - ')}`, { backupId: id });
    }
  } finally {
    await storage.close();
  }
}
