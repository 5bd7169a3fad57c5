// Our request bytes through kafkajs's own request framing (protocol/request.js, what its
// connection sends): the size, api key, version, correlation id and client id header, then our body
// byte for byte. Guards the duck-typed encoder kjsRequest hands to kafkajs 2.2.4.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { kjsRequest, kjsResponse, type KjsEncoder, type KjsRequest } from '../../../src/kafka/kafkajs/internals.js';
import { produceRequest, readProduceResponse } from '../../../src/kafka/wire/produce.js';
import { array, cat, i16, i32, i64, str } from '../wire/bytes.js';

const require = createRequire(import.meta.url);
const frame = require('kafkajs/src/protocol/request.js') as (args: { correlationId: number; clientId: string; request: KjsRequest }) => Promise<KjsEncoder>;

test('kafkajs frames our request body unchanged behind its header', async () => {
  const batch = Buffer.alloc(70_000, 7);
  const wire = produceRequest({ acks: -1, timeoutMs: 30_000, topics: [{ topic: 'orders', partitions: [{ partition: 3, batch }] }] });
  const framed = (await frame({ correlationId: 42, clientId: 'kb', request: kjsRequest(wire) })).buffer;
  const header = cat(i16(0), i16(7), i32(42), str('kb'));
  assert.deepEqual(framed, cat(i32(header.length + wire.body.length), header, wire.body));
});

test('kjsResponse decodes with our reader and parses to the same value', async () => {
  const response = kjsResponse(readProduceResponse);
  const payload = cat(array([cat(str('t'), array([cat(i32(0), i16(0), i64(5), i64(-1), i64(0))]))]), i32(0));
  const decoded = await response.decode(payload);
  assert.deepEqual(await response.parse(decoded), { topics: [{ topic: 't', partitions: [{ partition: 0, errorCode: 0, baseOffset: 5 }] }], throttleTimeMs: 0 });
});
