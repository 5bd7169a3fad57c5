// toxiproxy (KB_TEST_TOXIPROXY, started by test/infra/stores.sh) for integration tests: a TCP proxy
// in front of any emulator, which a test can cut off (disabled: open connections are closed, new
// ones refused) and slow down. Unlike the backend tests' proxies (test/storage/s3/helpers.ts,
// test/storage/azure/toxiproxy.ts), each bound to one emulator, this one takes its upstream as a
// URL, so every object store (and later GCS) uses the same helper.
import { randomBytes } from 'node:crypto';

export class ToxiProxy {
  private constructor(
    readonly name: string,
    /** 127.0.0.1:<port> the proxy listens on. */
    readonly listen: string,
  ) {}

  /** A proxy forwarding to the host and port of `upstream` (a URL); enabled, no toxics. */
  static async create(upstream: string): Promise<ToxiProxy> {
    const name = `kb-it-${process.pid}-${randomBytes(4).toString('hex')}`;
    const created = (await api('POST', '/proxies', { name, listen: '127.0.0.1:0', upstream: new URL(upstream).host, enabled: true })) as { listen: string };
    return new ToxiProxy(name, created.listen);
  }

  /** `url` with its host and port replaced by the proxy's (path and query kept). */
  via(url: string): string {
    const u = new URL(url);
    u.host = this.listen;
    return u.toString().replace(/\/$/, '');
  }

  async setEnabled(enabled: boolean): Promise<void> {
    await api('POST', `/proxies/${this.name}`, { enabled });
  }

  /** Adds a toxic, e.g. ('latency', 'downstream', { latency: 50 }); returns its name. */
  async addToxic(type: string, stream: 'upstream' | 'downstream', attributes: Record<string, number>): Promise<string> {
    const name = `${type}-${stream}`;
    await api('POST', `/proxies/${this.name}/toxics`, { name, type, stream, attributes });
    return name;
  }

  async removeToxic(name: string): Promise<void> {
    await api('DELETE', `/proxies/${this.name}/toxics/${name}`);
  }

  async remove(): Promise<void> {
    await api('DELETE', `/proxies/${this.name}`);
  }
}

async function api(method: string, path: string, body?: unknown): Promise<unknown> {
  const base = process.env.KB_TEST_TOXIPROXY;
  if (!base) throw new Error('KB_TEST_TOXIPROXY is not set: run integration tests with `npm test` (test/run.sh starts toxiproxy)');
  const response = await fetch(`${base}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`toxiproxy ${method} ${path}: HTTP ${response.status} ${text}`);
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}
