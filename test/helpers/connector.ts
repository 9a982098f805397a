// Runs a real connector process with a connector.properties, and reads its local API.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, freePort, type Running } from './process.js';

export interface ConnectorProc {
  run: Running;
  port: number;
  dir: string;
  props: string;
  local<T = any>(path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: T }>;
  waitFor(pred: (ctx: any) => boolean, timeoutMs?: number, what?: string): Promise<any>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export function propertiesText(o: { exchange: string; port: number; dir: string; extra?: string[] }): string {
  return [
    'registration_interval=10',
    `connector_port=${o.port}`,
    `connector_fqdn=${o.exchange}`,
    `data_dir=${join(o.dir, 'data')}`,
    'hostname=sensor-under-test',
    ...(o.extra ?? []),
    '',
  ].join('\n');
}

export async function startConnector(dir: string, o: { exchange: string; extra?: string[]; token?: string; port?: number }): Promise<ConnectorProc> {
  const port = o.port ?? (await freePort());
  const props = join(dir, 'connector.properties');
  writeFileSync(props, propertiesText({ exchange: o.exchange, port, dir, extra: o.extra }));
  const args = ['connector', '--config', props, ...(o.token ? ['--token', o.token] : [])];
  const run = await runCli(args, {}, /local API/);
  const local = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const r = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: init.method ?? 'GET',
      headers: init.body !== undefined ? { 'content-type': 'application/json' } : undefined,
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
    const text = await r.text();
    let body: unknown = text;
    try { body = JSON.parse(text); } catch { /* not JSON */ }
    return { status: r.status, body: body as any };
  };
  return {
    run, port, dir, props, local,
    async waitFor(pred, timeoutMs = 20_000, what = 'connector state') {
      const end = Date.now() + timeoutMs;
      let last: unknown;
      while (Date.now() < end) {
        try {
          last = (await local('/v1/contexts/default')).body;
          if (pred(last)) return last;
        } catch { /* not up yet */ }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last).slice(0, 2000)}\n${run.output().slice(-2000)}`);
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (run.child.exitCode !== null) return run.child.exitCode;
      run.child.kill(signal);
      return run.exited;
    },
  };
}

/** Polls until `fn` returns a truthy value. */
export async function eventually<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${String(last)})`);
}
