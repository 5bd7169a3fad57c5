import { backupStatus, listBackups, type BackupStatus } from '../../inspect/status.js';
import { storageFrom, type CommandContext } from '../context.js';
import { bytes, count, table, time } from '../format.js';

export async function statusCommand(opts: { config?: string; path?: string; backupId?: string }, ctx: CommandContext): Promise<void> {
  const { storage, config } = await storageFrom(opts, ctx.log);
  try {
    const id = opts.backupId ?? (opts.path ? undefined : config?.backup_id);
    if (id === undefined) {
      const backups = await listBackups(storage);
      const text =
        backups.length === 0
          ? `No backups at ${storage.location}`
          : `Backups at ${storage.location}\n` + table([['BACKUP', 'STATE', 'MODE', 'TOPICS', 'UPDATED'], ...backups.map((b) => [b.backup_id, b.state, b.mode, String(b.topics), b.updated_at])]);
      return ctx.report({ location: storage.location, backups }, text);
    }
    const s = await backupStatus(storage, id);
    ctx.report(s, render(s));
  } finally {
    await storage.close();
  }
}

function groupsLine(g: BackupStatus['consumer_groups']): string {
  if (g.captures === 0) return 'not captured';
  const span = g.captures === 1 ? `captured ${g.latest}` : `${g.captures} captures, ${g.first} .. ${g.latest}`;
  return `${span}; latest has ${g.groups.length} groups${g.groups.length > 0 ? ` (${g.groups.slice(0, 5).join(', ')}${g.groups.length > 5 ? ', …' : ''})` : ''}`;
}

function render(s: BackupStatus): string {
  const t = s.totals;
  const lines = [
    `Backup ${s.backup_id} at ${s.location}`,
    `  State:            ${s.state}${s.error ? ` (${s.error.code}: ${s.error.message})` : ''}`,
    `  Mode:             ${s.mode}`,
    `  Created:          ${s.created_at}`,
    `  Last checkpoint:  ${s.last_checkpoint}`,
    `  Source cluster:   ${s.source_cluster_id}`,
    `  Compression:      ${s.compression}`,
    `  Topics:           ${t.topics}, partitions: ${t.partitions}, segments: ${t.segments}`,
    `  Records:          ${count(t.records)}`,
    `  Stored:           ${bytes(t.stored_bytes)} (uncompressed ${bytes(t.raw_bytes)}${t.compression_ratio ? `, ratio ${t.compression_ratio}x` : ''})`,
    `  Consumer groups:  ${groupsLine(s.consumer_groups)}`,
    '',
    table([
      ['TOPIC', 'PART', 'OFFSETS', 'NEXT', 'RECORDS', 'STORED', 'FIRST TIME', 'LAST TIME', 'GAPS'],
      ...s.partitions.map((p) => [
        p.topic,
        String(p.partition),
        p.first_offset === null ? '-' : `${p.first_offset}..${p.last_offset}`,
        String(p.next_offset),
        count(p.records),
        bytes(p.stored_bytes),
        p.min_timestamp === null ? '-' : time(p.min_timestamp),
        p.max_timestamp === null ? '-' : time(p.max_timestamp),
        p.gaps.length ? p.gaps.map((g) => `[${g.from},${g.to}) ${g.reason}`).join('; ') : '-',
      ]),
    ]),
  ];
  if (s.restores.length > 0) {
    lines.push('', 'Restores from this backup:');
    lines.push(table([['CLUSTER', 'TOPIC', 'PART', 'STATE', 'RECORDS', 'UPDATED'], ...s.restores.map((r) => [r.target_cluster_id, r.target_topic, String(r.target_partition), r.state, count(r.records_written), r.updated_at])]));
  }
  return lines.join('\n');
}
