import { checkMode, requireSection } from '../../config/sections.js';
import { loadConfig } from '../../config/load.js';
import { redactConfig } from '../../config/redact.js';
import { connectKafka } from '../../kafka/connection.js';
import { RawKafkaSink } from '../../kafka/kafka-sink.js';
import { kafkaSettings } from '../../kafka/settings.js';
import { runRestore } from '../../pipeline/restore.js';
import { TransferStats } from '../../pipeline/stats.js';
import { openStorage } from '../../storage/index.js';
import type { CommandContext } from '../context.js';
import { renderSummary, startProgress } from '../progress.js';

export async function restoreCommand(file: string, ctx: CommandContext): Promise<void> {
  const config = await loadConfig(file);
  checkMode(config, 'restore', file);
  const target = requireSection(config, 'target', 'restore', file);
  ctx.log.debug({ config: redactConfig(config) }, 'config loaded');
  const storage = openStorage(config.storage, ctx.log);
  const conn = await connectKafka(kafkaSettings(target), ctx.log);
  const stats = new TransferStats();
  const stop = startProgress(stats, 'restore');
  try {
    await runRestore({ config, sink: new RawKafkaSink(conn, ctx.log), storage, log: ctx.log, signal: ctx.signal, stats });
  } finally {
    stop();
    await conn.close();
    await storage.close();
  }
  const summary = stats.summary();
  ctx.out(ctx.json ? JSON.stringify({ backup_id: config.backup_id, ...summary }) : renderSummary(`Restore of "${config.backup_id}" complete`, summary, { kafka: 'written to Kafka', storage: 'read from storage' }));
}
