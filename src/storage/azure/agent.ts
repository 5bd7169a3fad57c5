// The HTTP connection pool of one Azure backend, sized to storage.max_concurrency (seed 002: one
// process-wide limit on storage calls, and a pool that matches it so connections stay warm instead
// of being reopened with a TCP + TLS handshake per burst).
//
// How it reaches the SDK: @azure/storage-blob 12.32.0 hands its pipeline options (everything but
// httpClient) to @azure/core-rest-pipeline's createClientPipeline, whose `agent` option adds the
// agentPolicy, which sets `request.agent` on every request; the Node HTTP client then uses that
// agent instead of its own cached one. `agent` is not in the StoragePipelineOptions type, so
// client.ts passes it through an intersection type. (With HTTPS_PROXY/HTTP_PROXY set, the proxy
// policy replaces the agent with a proxy agent, as in every Azure SDK client.)

import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';

/** Pool size when max_concurrency is 0 (unlimited): generous, but still a bound. */
export const unlimitedPoolSize = 256;

/**
 * A socket that moves no bytes for this long is destroyed with ETIMEDOUT, so a connection that
 * went silent (a dropped NAT entry, a hung server) fails the call as retryable instead of hanging
 * the backup. The SDK itself sets no client-side timeout. Idle keep-alive sockets are closed too.
 */
export const socketIdleTimeoutMs = 120_000;

export type PoolAgent = http.Agent;

/** A keep-alive agent for the endpoint's protocol ('http:' for Azurite, 'https:' for Azure). */
export function createPoolAgent(protocol: string, maxConcurrency: number, idleTimeoutMs = socketIdleTimeoutMs): PoolAgent {
  const size = maxConcurrency === 0 ? unlimitedPoolSize : maxConcurrency;
  const options = { keepAlive: true, maxSockets: size, maxFreeSockets: size, timeout: idleTimeoutMs };
  const agent = protocol === 'http:' ? new http.Agent(options) : new https.Agent(options);
  // Node's agent only emits 'timeout' on a busy socket; destroying it is our decision.
  const create = agent.createConnection.bind(agent) as (...args: unknown[]) => Duplex | undefined;
  agent.createConnection = ((...args: unknown[]) => {
    const socket = create(...args);
    socket?.on('timeout', () => {
      const err = Object.assign(new Error(`no data on the connection for ${idleTimeoutMs} ms`), { code: 'ETIMEDOUT' });
      socket.destroy(err);
    });
    return socket;
  }) as typeof agent.createConnection;
  return agent;
}
