// Gathers what a troubleshoot bundle holds: the connector's config (redacted), its logs, what
// its local API says, the doctor's findings, versions, and a manifest of what could not be had.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { connectorConfigFromText, parseProperties, type ConnectorConfig } from '../connector/properties.js';
import { redactProperties, scrubText, secretValues } from './redact.js';
import { versions } from './versions.js';
import { runDoctorJson, type DoctorOptions, type DoctorRun } from './doctor-results.js';
import type { TarEntry } from './tar.js';

export interface CollectOptions extends DoctorOptions {
  /** Replaces the doctor run (tests; a caller that already has the results). */
  doctor?: (o: DoctorOptions) => Promise<DoctorRun>;
}

export interface Collected {
  files: Array<{ name: string; data: Buffer | string }>;
  problems: string[];
}

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/** connector.log, then connector.log.1, .2 … as the log rotates them. */
function logFiles(logFile: string): string[] {
  const dir = dirname(logFile);
  const base = basename(logFile);
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const rotated = names
    .filter((n) => n.startsWith(`${base}.`) && /^[0-9]+$/.test(n.slice(base.length + 1)))
    .sort((a, b) => Number(a.slice(base.length + 1)) - Number(b.slice(base.length + 1)));
  return [...(names.includes(base) ? [base] : []), ...rotated].map((n) => join(dir, n));
}

async function localApi(port: number, path: string): Promise<unknown> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(3000) });
    const text = await r.text();
    try {
      return { status: r.status, body: JSON.parse(text) as unknown };
    } catch {
      return { status: r.status, body: text };
    }
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    return { error: `GET http://127.0.0.1:${port}${path}: ${err.cause?.code ?? err.message}` };
  }
}

export async function collect(o: CollectOptions): Promise<Collected> {
  const files: Collected['files'] = [];
  const problems: string[] = [];
  const configFile = resolve(o.config);

  let config: ConnectorConfig | null = null;
  let secrets: string[] = [];
  try {
    const text = readFileSync(configFile, 'utf8');
    files.push({ name: 'connector.properties', data: redactProperties(text) });
    try {
      secrets = secretValues(parseProperties(text, configFile).entries);
    } catch {
      // Unparseable (a bad escape): the redacted copy is still line by line; nothing to scrub by value.
    }
    try {
      config = connectorConfigFromText(text, configFile).config;
    } catch (e) {
      problems.push(`connector.properties does not load (the doctor says more): ${(e as Error).message}`);
    }
  } catch (e) {
    problems.push(`cannot read ${configFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  // Without a valid config, look where the defaults would have put things.
  const dataDir = config?.dataDir ?? join(dirname(configFile), 'data');
  const logFile = config?.logFile ?? join(dataDir, 'connector.log');

  const logs = logFiles(logFile);
  if (logs.length === 0) problems.push(`no connector log at ${logFile}`);
  const outLog = join(dataDir, 'connector.out.log');
  for (const f of existsSync(outLog) ? [...logs, outLog] : logs) {
    try {
      files.push({ name: `logs/${basename(f)}`, data: scrubText(readFileSync(f, 'utf8'), secrets) });
    } catch (e) {
      problems.push(`cannot read ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  // What enrollment left that carries no secret (the key and certificate stay behind).
  for (const n of ['registration.json', 'cloud_events.json']) {
    const f = join(dataDir, n);
    if (existsSync(f)) files.push({ name: `state/${n}`, data: scrubText(readFileSync(f, 'utf8'), secrets) });
  }

  // Without a config the port is a guess, and 8989 may be another connector's: ask nobody.
  const port = config?.connectorPort;
  const unknown = async () => ({ error: 'connector_port unknown: connector.properties did not load' });
  const [ctx, status, doctor, vers] = await Promise.all([
    port ? localApi(port, '/v1/contexts/default') : unknown(),
    port ? localApi(port, '/v1/contexts/default/status') : unknown(),
    (o.doctor ?? runDoctorJson)({ config: configFile, timeoutMs: o.timeoutMs, clientId: o.clientId, clientSecret: o.clientSecret }),
    versions(),
  ]);
  // Every file but the properties (redacted key by key above) gets the same scrub.
  const scrubbed = (v: unknown) => scrubText(json(v), secrets);
  files.push({ name: 'local-api/contexts-default.json', data: scrubbed(ctx) });
  files.push({ name: 'local-api/status.json', data: scrubbed(status) });
  if ((ctx as { error?: string }).error) problems.push((ctx as { error: string }).error);
  files.push({ name: 'doctor.json', data: scrubbed(doctor.report ?? { error: doctor.error }) });
  if (doctor.error) problems.push(doctor.error);
  files.push({ name: 'versions.json', data: scrubbed(vers) });
  return { files, problems };
}

export function toEntries(root: string, c: Collected, manifest: object): TarEntry[] {
  const mtime = new Date();
  const dirs = new Set<string>([`${root}/`]);
  for (const f of c.files) {
    const parts = f.name.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) dirs.add(`${root}/${parts.slice(0, i).join('/')}/`);
  }
  return [
    ...[...dirs].map((name) => ({ name, mtime })),
    ...c.files.map((f) => ({ name: `${root}/${f.name}`, data: f.data, mtime, mode: 0o600 })),
    { name: `${root}/manifest.json`, data: json(manifest), mtime, mode: 0o600 },
  ];
}
