// A toxiproxy proxy in front of the GCS emulator, driven through toxiproxy's HTTP API
// (KB_TEST_TOXIPROXY from stores.env).

import { randomBytes } from 'node:crypto';
import { emulatorEndpoint, requireEnv } from './emulator.js';

export class Proxy {
  private constructor(
    private readonly api: string,
    readonly name: string,
    /** http://127.0.0.1:<port> of the proxy: use it as the backend's endpoint. */
    readonly endpoint: string,
  ) {}

  static async create(): Promise<Proxy> {
    const api = requireEnv('KB_TEST_TOXIPROXY');
    const upstream = new URL(emulatorEndpoint()).host;
    const name = `gcs-${randomBytes(4).toString('hex')}`;
    const created = (await call(api, 'POST', '/proxies', { name, listen: '127.0.0.1:0', upstream, enabled: true })) as { listen: string };
    return new Proxy(api, name, `http://${created.listen}`);
  }

  /** Disabled: open connections are closed and new ones refused. */
  async setEnabled(enabled: boolean): Promise<void> {
    await call(this.api, 'POST', `/proxies/${this.name}`, { enabled });
  }

  /** Limits the emulator → client direction to `kbPerSecond` KB/s. */
  async limitDownstream(kbPerSecond: number): Promise<void> {
    await call(this.api, 'POST', `/proxies/${this.name}/toxics`, {
      name: 'bandwidth_down',
      type: 'bandwidth',
      stream: 'downstream',
      attributes: { rate: kbPerSecond },
    });
  }

  /** Limits the client → emulator direction to `kbPerSecond` KB/s. */
  async limitUpstream(kbPerSecond: number): Promise<void> {
    await call(this.api, 'POST', `/proxies/${this.name}/toxics`, {
      name: 'bandwidth_up',
      type: 'bandwidth',
      stream: 'upstream',
      attributes: { rate: kbPerSecond },
    });
  }

  async removeToxics(): Promise<void> {
    for (const name of ['bandwidth_down', 'bandwidth_up']) {
      await call(this.api, 'DELETE', `/proxies/${this.name}/toxics/${name}`).catch(() => undefined);
    }
  }

  async remove(): Promise<void> {
    await call(this.api, 'DELETE', `/proxies/${this.name}`);
  }
}

async function call(api: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${api}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`toxiproxy ${method} ${path}: HTTP ${response.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}
