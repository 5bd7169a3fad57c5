// Object keys of a backup, per docs/format.md "Object layout". Every key kafka-backup reads or
// writes is built here, so the layout lives in one place. Builders validate their inputs: a name
// that could escape its folder or collide with another key must never reach storage.

import { KafkaBackupError } from '../errors.js';
import { SEGMENT_KEY_DIGITS, SEGMENT_SUFFIX } from './constants.js';
import { parseSafeInt64 } from '../records/int64.js';

/** A backup id: a path segment of every key, so only safe characters (docs/format.md). */
const BACKUP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
/** BACKUP_ID in words, for messages to a user who names an invalid id. */
export const backupIdRule = 'a letter or digit, then up to 254 of A-Z a-z 0-9 . _ -';
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const CLUSTER_ID = /^[A-Za-z0-9._-]{1,255}$/;
const PARTITION = /^(0|[1-9][0-9]{0,9})$/;
export function isValidBackupId(id: string): boolean {
  return BACKUP_ID.test(id);
}

/** Kafka's own rule for topic names; `.` and `..` are excluded because they are path segments. */
export function isValidTopicName(topic: string): boolean {
  return TOPIC.test(topic) && topic !== '.' && topic !== '..';
}

export function isValidClusterId(clusterId: string): boolean {
  return CLUSTER_ID.test(clusterId) && clusterId !== '.' && clusterId !== '..';
}

// A bad backup id, partition or offset is a bug in our code: ids are user input, checked where
// they enter (the config schema, the CLI's --backup-id) with isValidBackupId. A bad topic or
// cluster id came from Kafka and is data we cannot store.
function checkId(id: string): void {
  if (!isValidBackupId(id)) throw new KafkaBackupError('INTERNAL', `invalid backup id ${JSON.stringify(id)}`);
}
function checkTopic(topic: string): void {
  if (!isValidTopicName(topic)) {
    throw new KafkaBackupError('RECORD_FORMAT', `topic name ${JSON.stringify(topic)} cannot be stored`, { topic });
  }
}
function checkPartition(p: number): void {
  if (!Number.isSafeInteger(p) || p < 0 || p > 0x7fff_ffff) {
    throw new KafkaBackupError('INTERNAL', `invalid partition ${p}`);
  }
}
function checkOffset(offset: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new KafkaBackupError('INTERNAL', `invalid offset ${offset}`);
}

/** `<id>/`: every object of the backup. */
export function backupPrefix(id: string): string {
  checkId(id);
  return `${id}/`;
}

export function descriptorKey(id: string): string {
  return `${backupPrefix(id)}backup.json`;
}

/** `<id>/topics/`: list it and keep the keys parseManifestKey accepts to discover partitions. */
export function topicsPrefix(id: string): string {
  return `${backupPrefix(id)}topics/`;
}

/** `<id>/topics/<topic>/<p>/` */
export function partitionPrefix(id: string, topic: string, p: number): string {
  checkTopic(topic);
  checkPartition(p);
  return `${topicsPrefix(id)}${topic}/${p}/`;
}

export function manifestKey(id: string, topic: string, p: number): string {
  return `${partitionPrefix(id, topic, p)}manifest.json`;
}

export function segmentsPrefix(id: string, topic: string, p: number): string {
  return `${partitionPrefix(id, topic, p)}segments/`;
}

/** `<id>/topics/<topic>/<p>/segments/<base>.kbs`, base offset zero-padded to 20 digits. */
export function segmentKey(id: string, topic: string, p: number, baseOffset: number): string {
  checkOffset(baseOffset);
  const base = String(baseOffset).padStart(SEGMENT_KEY_DIGITS, '0');
  return `${segmentsPrefix(id, topic, p)}${base}${SEGMENT_SUFFIX}`;
}

/** `<id>/restores/` */
export function restoresPrefix(id: string): string {
  return `${backupPrefix(id)}restores/`;
}

/** `<id>/restores/<cluster-id>/<target-topic>/<p>.json` */
export function restoreStateKey(id: string, clusterId: string, topic: string, p: number): string {
  if (!isValidClusterId(clusterId)) {
    throw new KafkaBackupError('RECORD_FORMAT', `cluster id ${JSON.stringify(clusterId)} cannot be stored`, {
      clusterId,
    });
  }
  checkTopic(topic);
  checkPartition(p);
  return `${restoresPrefix(id)}${clusterId}/${topic}/${p}.json`;
}

/** `<id>/groups/`: list it to find the consumer-group captures. */
export function groupCapturesPrefix(id: string): string {
  return `${backupPrefix(id)}groups/`;
}

/** `<id>/groups/<ms>.json`, capture time in epoch ms zero-padded to 20 digits (keys sort in time order). */
export function groupCaptureKey(id: string, capturedAtMs: number): string {
  checkOffset(capturedAtMs);
  return `${groupCapturesPrefix(id)}${String(capturedAtMs).padStart(SEGMENT_KEY_DIGITS, '0')}.json`;
}

/** The capture time a group-capture key names, or undefined for any other key. */
export function parseGroupCaptureKey(key: string): { id: string; capturedAtMs: number } | undefined {
  const parts = key.split('/');
  const m = parts.length === 3 && parts[1] === 'groups' ? /^([0-9]{20})\.json$/.exec(parts[2] ?? '') : null;
  if (!m || !isValidBackupId(parts[0]!)) return undefined;
  const capturedAtMs = parseSafeInt64(m[1]!);
  return capturedAtMs === undefined ? undefined : { id: parts[0]!, capturedAtMs };
}

/** `<id>/group-commits/<cluster-id>.json`: the consumer-group offsets committed into one target cluster. */
export function groupCommitsKey(id: string, clusterId: string): string {
  if (!isValidClusterId(clusterId)) {
    throw new KafkaBackupError('RECORD_FORMAT', `cluster id ${JSON.stringify(clusterId)} cannot be stored`, { clusterId });
  }
  return `${backupPrefix(id)}group-commits/${clusterId}.json`;
}

export interface PartitionRef {
  id: string;
  topic: string;
  partition: number;
}

/** The partition a manifest key belongs to, or undefined for any other key. */
export function parseManifestKey(key: string): PartitionRef | undefined {
  const parts = key.split('/');
  if (parts.length !== 5 || parts[1] !== 'topics' || parts[4] !== 'manifest.json') return undefined;
  return parsePartitionParts(parts[0], parts[2], parts[3]);
}

/** The partition and base offset a segment key names, or undefined for any other key. */
export function parseSegmentKey(key: string): (PartitionRef & { baseOffset: number }) | undefined {
  const parts = key.split('/');
  if (parts.length !== 6 || parts[1] !== 'topics' || parts[4] !== 'segments') return undefined;
  const ref = parsePartitionParts(parts[0], parts[2], parts[3]);
  const file = parts[5] ?? '';
  const digits = file.slice(0, -SEGMENT_SUFFIX.length);
  if (!ref || !file.endsWith(SEGMENT_SUFFIX) || !/^[0-9]{20}$/.test(digits)) return undefined;
  const baseOffset = parseSafeInt64(digits);
  return baseOffset === undefined ? undefined : { ...ref, baseOffset };
}

function parsePartitionParts(
  id: string | undefined,
  topic: string | undefined,
  p: string | undefined,
): PartitionRef | undefined {
  if (id === undefined || topic === undefined || p === undefined) return undefined;
  if (!isValidBackupId(id) || !isValidTopicName(topic) || !PARTITION.test(p)) return undefined;
  const partition = Number(p);
  return partition <= 0x7fff_ffff ? { id, topic, partition } : undefined;
}
