// Topic selection, shared by `source.topics` (which live topics to back up) and `restore.topics`
// (which backed-up topics to restore). An entry is one of:
//   orders              an exact topic name
//   orders-*  logs.?    a glob: `*` any run of characters (dots included), `?` one character
//   ~^orders-[0-9]+$    a JavaScript regular expression after the `~`, searched unanchored
//                       (write ^ and $ to match the whole name)
// Rules: an empty include list selects every non-internal topic; exclude always wins over
// include; internal topics (names starting with "__") are selected only by their exact name,
// never by a glob, a regex or an empty include list.

/** Kafka's own rule for topic names ("." and ".." are refused by Kafka, and are path segments). */
export const topicNamePattern = /^(?!\.\.?$)[a-zA-Z0-9._-]{1,249}$/;

/** topicNamePattern in words, for messages. */
export const topicNameRule = '1-249 of a-z A-Z 0-9 . _ -, not "." or ".."';

const globPattern = /^[a-zA-Z0-9._\-*?]+$/;

export type TopicPattern =
  | { kind: 'exact'; name: string }
  | { kind: 'glob'; source: string; regex: RegExp }
  | { kind: 'regex'; source: string; regex: RegExp };

/** Parse one selector entry; throws a TypeError whose message suits "<path>: <message>". */
export function parseTopicPattern(entry: string): TopicPattern {
  if (entry.startsWith('~')) {
    const source = entry.slice(1);
    return { kind: 'regex', source, regex: regexEntry(source) };
  }
  if (entry.includes('*') || entry.includes('?')) {
    if (!globPattern.test(entry)) {
      throw new TypeError(`"${entry}" is not a valid glob (topic characters, "*" and "?" only; use "~" for a regex)`);
    }
    const body = entry.replace(/[.*?-]/g, (c) => (c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`));
    return { kind: 'glob', source: entry, regex: new RegExp(`^${body}$`) };
  }
  if (!topicNamePattern.test(entry)) {
    throw new TypeError(`"${entry}" is not a valid topic name (${topicNameRule})`);
  }
  return { kind: 'exact', name: entry };
}

/** The regular expression of a `~` entry (topics and consumer groups); a TypeError naming the problem otherwise. */
export function regexEntry(source: string): RegExp {
  if (source === '') throw new TypeError('empty regular expression after "~"');
  try {
    return new RegExp(source);
  } catch (err) {
    throw new TypeError(`invalid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
}

/** The message for an invalid entry, or undefined when the entry is valid. */
export function topicPatternError(entry: string): string | undefined {
  try {
    parseTopicPattern(entry);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export function isInternalTopic(topic: string): boolean {
  return topic.startsWith('__');
}

function matches(pattern: TopicPattern, topic: string, internal: boolean): boolean {
  if (pattern.kind === 'exact') return pattern.name === topic;
  return !internal && pattern.regex.test(topic);
}

/**
 * A predicate selecting topic names. Entries must be valid (the config schema checks them);
 * an invalid entry throws a TypeError here.
 */
export function compileTopicSelector(include: string[], exclude: string[]): (topic: string) => boolean {
  const included = include.map(parseTopicPattern);
  const excluded = exclude.map(parseTopicPattern);
  return (topic) => {
    const internal = isInternalTopic(topic);
    const selected = included.length === 0 ? !internal : included.some((p) => matches(p, topic, internal));
    // Exclusion is not subject to the internal-topic guard: deselecting is always safe.
    return selected && !excluded.some((p) => matches(p, topic, false));
  };
}

/** The include entries that name one topic exactly, so a command can fail when one is missing. */
export function literalTopics(include: string[]): string[] {
  return include.filter((entry) => parseTopicPattern(entry).kind === 'exact');
}
