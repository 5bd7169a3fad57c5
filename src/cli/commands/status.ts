import { KafkaBackupError } from '../../errors.js';
import { backupStatus, listBackups, type BackupListing, type BackupStatus } from '../../inspect/status.js';
import { storageFrom, type CommandContext } from '../context.js';
import { bytes, count, table, time } from '../format.js';

/**
 * `status`: the backups at a location, or one backup. A location that does not exist is an error
 * (exit 1); a damaged backup is shown with what can be read and its problems, and makes the
 * command exit 3 (problems found) after printing.
 */
export async function statusCommand(opts: { config?: string; path?: string; backupId?: string }, ctx: CommandContext): Promise<void> {
  const { storage, config } = await storageFrom(opts, ctx.log);
  try {
    const id = opts.backupId ?? (opts.path ? undefined : config?.backup_id);
    if (id === undefined) {
      const backups = await listBackups(storage);
      const text = backups.length === 0 ? `No backups at ${storage.location}` : `Backups at ${storage.location}\n${listingTable(backups)}`;
      ctx.report({ location: storage.location, backups }, text);
      const damaged = backups.filter((b) => b.damaged);
      if (damaged.length > 0) {
        throw new KafkaBackupError(
          'BACKUP_CORRUPT',
          `${damaged.length} of ${backups.length} backups at ${storage.location} damaged:\n  - ${damaged.map((b) => `${b.backup_id}: ${b.problems.join('; ')}`).join('\n  - ')}`,
        );
      }
      return;
    }
    const s = await backupStatus(storage, id);
    ctx.report(s, render(s));
    if (s.damaged) throw new KafkaBackupError('BACKUP_CORRUPT', `backup ${id} is damaged:\n  - ${s.problems.join('\n  - ')}`, { backupId: id });
  } finally {
    await storage.close();
  }
}

function listingTable(backups: BackupListing[]): string {
  const health = (b: BackupListing) => (!b.damaged ? 'ok' : `DAMAGED: ${b.problems[0]}${b.problems.length > 1 ? ` (and ${b.problems.length - 1} more)` : ''}`);
  return table([['BACKUP', 'STATE', 'MODE', 'TOPICS', 'UPDATED', 'HEALTH'], ...backups.map((b) => [b.backup_id, b.state ?? '?', b.mode ?? '?', String(b.topics), b.updated_at ?? '?', health(b)])]);
}

function groupsLine(g: BackupStatus['consumer_groups']): string {
  if (g.captures === 0) return 'not captured';
  const span = g.captures === 1 ? `captured ${g.latest}` : `${g.captures} captures, ${g.first} .. ${g.latest}`;
  return `${span}; latest has ${g.groups.length} groups${g.groups.length > 0 ? ` (${g.groups.slice(0, 5).join(', ')}${g.groups.length > 5 ? ', …' : ''})` : ''}`;
}

function render(s: BackupStatus): string {
  const t = s.totals;
  const unknown = 'unknown (backup.json missing or unreadable)';
  const lines = [
    `Backup ${s.backup_id} at ${s.location}`,
    `  State:            ${s.state ?? unknown}${s.run_error ? ` (${s.run_error.code}: ${s.run_error.message})` : ''}${s.damaged ? `; DAMAGED: ${s.problems.length} problem(s), listed below` : ''}`,
    `  Mode:             ${s.mode ?? unknown}`,
    `  Created:          ${s.created_at ?? unknown}`,
    `  Last checkpoint:  ${s.last_checkpoint ?? unknown}`,
    `  Source cluster:   ${s.source_cluster_id ?? unknown}`,
    `  Compression:      ${s.compression ?? unknown}`,
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
  if (s.damaged) lines.push('', 'Problems (missing or unreadable):', ...s.problems.map((p) => `  - ${p}`));
  if (s.restores.length > 0) {
    lines.push('', 'Restores from this backup:');
    lines.push(table([['CLUSTER', 'TOPIC', 'PART', 'STATE', 'RECORDS', 'UPDATED'], ...s.restores.map((r) => [r.target_cluster_id, r.target_topic, String(r.target_partition), r.state, count(r.records_written), r.updated_at])]));
  }
  return lines.join('\n');
}
