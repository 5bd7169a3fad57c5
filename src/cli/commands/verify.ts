import { KafkaBackupError } from '../../errors.js';
import { backupStatus } from '../../inspect/status.js';
import { verifyPartitions } from '../../inspect/verify.js';
import { readManifest } from '../../format/manifest.js';
import { storageFrom, type CommandContext } from '../context.js';
import { bytes } from '../format.js';

/** `verify`: read a whole backup back and check every checksum, without touching Kafka. */
export async function verifyCommand(opts: { config?: string; path?: string; backupId?: string; quick?: boolean }, ctx: CommandContext): Promise<void> {
  const { storage, config } = await storageFrom(opts, ctx.log);
  try {
    const id = opts.backupId ?? config?.backup_id;
    if (!id) throw new KafkaBackupError('USAGE', 'verify needs --backup-id (or a --config naming backup_id)');
    const status = await backupStatus(storage, id);
    const manifests = [];
    for (const p of status.partitions) {
      const m = await readManifest(storage, id, p.topic, p.partition);
      if (m) manifests.push(m.manifest);
    }
    const result = await verifyPartitions(storage, manifests, { deep: !opts.quick });
    const ok = result.problems.length === 0;
    ctx.report({ backup_id: id, ok, ...result }, ok ? `Backup ${id}: ${result.segments} segments, ${bytes(result.bytes)}, all intact${opts.quick ? ' (quick: existence and sizes only)' : ''}` : undefined);
    if (result.problems.length > 0) {
      throw new KafkaBackupError('BACKUP_CORRUPT', `backup ${id} has ${result.problems.length} damaged or missing segment(s):\n  - ${result.problems.join('\n  - ')}`);
    }
  } finally {
    await storage.close();
  }
}
