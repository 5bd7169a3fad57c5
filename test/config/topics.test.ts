import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileTopicSelector, literalTopics, parseTopicPattern, topicPatternError } from '../../src/config/topics.js';
import { base, parse, problems } from './helpers.js';

const select = (include: string[], exclude: string[], topics: string[]): string[] =>
  topics.filter(compileTopicSelector(include, exclude));

const topics = ['orders', 'orders-1', 'orders-22', 'orders.v2', 'payments', 'ordersx', '__consumer_offsets', '__orders'];

describe('compileTopicSelector', () => {
  test('exact names match only themselves', () => {
    assert.deepEqual(select(['orders', 'payments'], [], topics), ['orders', 'payments']);
  });

  test('globs: * spans any characters, ? exactly one, dots are literal', () => {
    assert.deepEqual(select(['orders-*'], [], topics), ['orders-1', 'orders-22']);
    assert.deepEqual(select(['orders-?'], [], topics), ['orders-1']);
    assert.deepEqual(select(['orders.*'], [], topics), ['orders.v2']);
    assert.deepEqual(select(['*'], [], topics), topics.filter((t) => !t.startsWith('__')));
  });

  test('~regex is a JavaScript regular expression, unanchored', () => {
    assert.deepEqual(select(['~^orders-[0-9]+$'], [], topics), ['orders-1', 'orders-22']);
    assert.deepEqual(select(['~ments'], [], topics), ['payments']);
  });

  test('an empty include selects every non-internal topic', () => {
    assert.deepEqual(select([], [], topics), topics.slice(0, 6));
  });

  test('exclude wins over include, exact or pattern', () => {
    assert.deepEqual(select(['orders*'], ['orders-22', '~\\.v2$'], topics), ['orders', 'orders-1', 'ordersx']);
    assert.deepEqual(select(['orders'], ['orders'], topics), []);
    assert.deepEqual(select([], ['*'], topics), []);
  });

  test('internal topics are selected only by exact name', () => {
    assert.deepEqual(select(['__*', '~consumer', '~^__'], [], topics), []);
    assert.deepEqual(select(['__consumer_offsets', '*orders'], [], topics), ['orders', '__consumer_offsets']);
  });

  test('literalTopics returns the exact names among the entries', () => {
    assert.deepEqual(literalTopics(['orders', 'pay-*', '~^x', 'a.b', 'c?']), ['orders', 'a.b']);
  });
});

describe('topic pattern validation', () => {
  test('classifies entries', () => {
    assert.equal(parseTopicPattern('orders').kind, 'exact');
    assert.equal(parseTopicPattern('o*').kind, 'glob');
    assert.equal(parseTopicPattern('~o+').kind, 'regex');
  });

  test('explains invalid entries', () => {
    assert.match(topicPatternError('~(')!, /^invalid regular expression: /);
    assert.equal(topicPatternError('~'), 'empty regular expression after "~"');
    assert.match(topicPatternError('a b')!, /is not a valid topic name/);
    assert.match(topicPatternError('a/*')!, /is not a valid glob/);
    assert.equal(topicPatternError('ok-*'), undefined);
  });

  test('the config reports bad entries with their index', () => {
    assert.deepEqual(problems(`${base}source:\n  bootstrap_servers: k:1\n  topics:\n    include: [a, b, "~^orders-[0-9+$"]\n`), [
      'source.topics.include[2]: invalid regular expression: /^orders-[0-9+$/: Unterminated character class',
    ]);
    assert.deepEqual(problems(`${base}restore:\n  topics:\n    exclude: ["x y"]\n`), [
      'restore.topics.exclude[0]: "x y" is not a valid topic name (1-249 of a-z A-Z 0-9 . _ -, not "." or "..")',
    ]);
    const config = parse(`${base}restore:\n  topics: { include: ["~^a", b] }\n`);
    assert.deepEqual(config.restore.topics, { include: ['~^a', 'b'], exclude: [] });
  });
});
