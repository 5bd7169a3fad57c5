// Consumer-group selection, for `backup.consumer_groups` (which groups' committed offsets a backup
// captures) and `restore.consumer_groups` (which captured groups a restore commits). An entry is
// an exact group id, a glob (`*` any run of characters, `?` one character) or a JavaScript
// regular expression after `~`, searched unanchored. Unlike topic selection, an empty list
// selects nothing: committing offsets is something a user asks for.

import { regexEntry } from './topics.js';

export type GroupPattern = { kind: 'exact'; id: string } | { kind: 'pattern'; regex: RegExp };

/** Parse one entry; throws a TypeError whose message suits "<path>: <message>". */
export function parseGroupPattern(entry: string): GroupPattern {
  if (entry === '') throw new TypeError('empty group entry');
  if (entry.startsWith('~')) return { kind: 'pattern', regex: regexEntry(entry.slice(1)) };
  if (!entry.includes('*') && !entry.includes('?')) return { kind: 'exact', id: entry };
  const body = entry.replace(/[.*+?^${}()|[\]\\/-]/g, (c) => (c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`));
  return { kind: 'pattern', regex: new RegExp(`^${body}$`, 's') };
}

/** The message for an invalid entry, or undefined when it is valid. */
export function groupPatternError(entry: string): string | undefined {
  try {
    parseGroupPattern(entry);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** A predicate over group ids; entries must be valid (the schema checks them). */
export function compileGroupSelector(entries: readonly string[]): (groupId: string) => boolean {
  const patterns = entries.map(parseGroupPattern);
  return (id) => patterns.some((p) => (p.kind === 'exact' ? p.id === id : p.regex.test(id)));
}

/** The entries that name one group exactly. */
export function literalGroups(entries: readonly string[]): string[] {
  return entries.filter((e) => parseGroupPattern(e).kind === 'exact');
}
