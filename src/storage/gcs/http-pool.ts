// Keep-alive connection pools for the GCS client, sized to storage.max_concurrency (seed 002: one
// process-wide limit on storage calls, and HTTP pools sized to it so that connections stay warm
// instead of being re-opened, and never exceed the limit).
//
// @google-cloud/storage 7.22.0 has no agent option. Its requests take two paths:
//   - JSON API calls (metadata, downloads, simple uploads, listings, deletes) go through
//     teeny-request, which picks its agent from a module-level Map (teeny-request 9.0.0
//     build/src/agents.js `pool`) under 'http:forever' / 'https:forever' (the SDK always sets
//     `forever: true`). We put our agents there. That Map is process-wide, which matches the limit
//     itself: openStorage() configures one process-wide semaphore and refuses a second, different
//     max_concurrency. If backends with different limits coexist (tests), the newest one's agents
//     serve the JSON calls of all of them until it is closed.
//   - Resumable-upload requests go through gaxios, which takes `agent` per request; gcsAgentOption()
//     returns it for a Storage request interceptor (the SDK copies interceptor output into the
//     upload's request options), so that path uses the backend's own agents.
// With HTTP(S)_PROXY set, both libraries build proxy agents themselves; then we stay out of the way.

import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import { KafkaBackupError } from '../../errors.js';

/** max_concurrency 0 means unlimited; the pool still needs a size. */
export const unlimitedSockets = 256;

export interface GcsAgents {
  readonly http: http.Agent;
  readonly https: https.Agent;
  /** Idempotent; destroys the agents once no backend uses them. */
  release(): void;
}

interface Entry {
  http: http.Agent;
  https: https.Agent;
  users: number;
}

const entries = new Map<number, Entry>();
const installed: Entry[] = [];

function teenyPool(): Map<string, unknown> {
  const fromStorage = createRequire(createRequire(import.meta.url).resolve('@google-cloud/storage'));
  const agents = fromStorage(fromStorage.resolve('teeny-request').replace(/index\.js$/, 'agents.js')) as {
    pool?: unknown;
  };
  if (!(agents.pool instanceof Map)) {
    throw new KafkaBackupError('INTERNAL', 'teeny-request has no agent pool: @google-cloud/storage changed, see src/storage/gcs/http-pool.ts');
  }
  return agents.pool as Map<string, unknown>;
}

export function proxyConfigured(): boolean {
  const env = process.env;
  return [env.HTTP_PROXY, env.http_proxy, env.HTTPS_PROXY, env.https_proxy].some((v) => v !== undefined && v !== '');
}

function install(entry: Entry | undefined): void {
  const pool = teenyPool();
  if (entry === undefined) {
    pool.delete('http:forever');
    pool.delete('https:forever');
    return;
  }
  pool.set('http:forever', entry.http);
  pool.set('https:forever', entry.https);
}

/** Agents with maxSockets = maxConcurrency (0: unlimitedSockets), shared by backends with the same limit. */
export function acquireAgents(maxConcurrency: number): GcsAgents {
  const size = maxConcurrency === 0 ? unlimitedSockets : maxConcurrency;
  let entry = entries.get(size);
  if (entry === undefined) {
    const options = { keepAlive: true, maxSockets: size, maxFreeSockets: size, scheduling: 'lifo' as const };
    entry = { http: new http.Agent(options), https: new https.Agent(options), users: 0 };
    entries.set(size, entry);
  }
  entry.users++;
  const current = entry;
  installed.push(current);
  if (!proxyConfigured()) install(current);
  let released = false;
  return {
    http: current.http,
    https: current.https,
    release: () => {
      if (released) return;
      released = true;
      installed.splice(installed.lastIndexOf(current), 1);
      if (--current.users === 0) {
        entries.delete(size);
        current.http.destroy();
        current.https.destroy();
      }
      if (!proxyConfigured()) install(installed[installed.length - 1]);
    },
  };
}

/** The `agent` request option for gaxios (resumable uploads), or undefined when a proxy is configured. */
export function gcsAgentOption(agents: GcsAgents): ((url: URL) => http.Agent) | undefined {
  if (proxyConfigured()) return undefined;
  return (url) => (url.protocol === 'http:' ? agents.http : agents.https);
}
