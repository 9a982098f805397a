// `threatlink doctor bundle`: one archive to attach to a support case. Written 0600: it holds
// logs with addresses and host names even with the secrets taken out.
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { collect, toEntries, type CollectOptions } from './collect.js';
import { outFile } from './out-file.js';
import { tarGz } from './tar.js';
import { VERSION } from '../version.js';

export interface BundleOptions extends CollectOptions {
  out?: string;
  now?: Date;
}

export interface BundleResult {
  file: string;
  bytes: number;
  root: string;
  entries: string[];
  problems: string[];
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

export async function writeBundle(o: BundleOptions): Promise<BundleResult> {
  const now = o.now ?? new Date();
  const host = hostname().replace(/[^A-Za-z0-9._-]/g, '_');
  const root = `threatlink-bundle-${host}-${stamp(now)}`;
  const file = outFile(o.out, `${root}.tar.gz`);
  const c = await collect(o);
  const manifest = {
    created_at: now.toISOString(),
    threatlink: VERSION,
    hostname: hostname(),
    config: resolve(o.config),
    files: c.files.map((f) => ({ name: f.name, bytes: Buffer.byteLength(f.data) })),
    redacted: 'registration_token, proxy credentials, and every key naming a secret, password or token; registration tokens in logs',
    problems: c.problems,
  };
  const entries = toEntries(root, c, manifest);
  const gz = tarGz(entries);
  writeFileSync(file, gz, { mode: 0o600 });
  return { file, bytes: gz.length, root, entries: entries.map((e) => e.name), problems: c.problems };
}
