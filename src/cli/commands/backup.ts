import { checkMode, requireSection } from '../../config/sections.js';
import { loadConfig } from '../../config/load.js';
import { redactConfig } from '../../config/redact.js';
import { connectSource } from '../../kafka/connect.js';
import { kafkaSettings } from '../../kafka/settings.js';
import { runBackup } from '../../pipeline/backup.js';
import { TransferStats } from '../../pipeline/stats.js';
import { openStorage } from '../../storage/index.js';
import type { CommandContext } from '../context.js';
import { renderSummary, startProgress } from '../progress.js';

export async function backupCommand(file: string, ctx: CommandContext): Promise<void> {
  const config = await loadConfig(file);
  checkMode(config, 'backup', file);
  const source = requireSection(config, 'source', 'backup', file);
  ctx.log.debug({ config: redactConfig(config) }, 'config loaded');
  const storage = openStorage(config.storage, ctx.log);
  const kafka = await connectSource(kafkaSettings(source), ctx.log);
  const stats = new TransferStats();
  const stop = startProgress(stats, 'backup');
  try {
    await runBackup({
      config,
      source: kafka,
      storage,
      log: ctx.log,
      signal: ctx.signal,
      stats,
    });
  } finally {
    stop();
    await kafka.close();
    await storage.close();
  }
  const summary = stats.summary();
  ctx.report({ backup_id: config.backup_id, ...summary }, renderSummary(`Backup "${config.backup_id}" complete`, summary, { kafka: 'read from Kafka', storage: 'stored' }));
}
