// What enrollment leaves in the data dir: the device key (0600), its certificate, the exchange
// CA (connectorCA.pem) and the registration record. Written atomically so a crash never leaves
// a half-written identity.
import { existsSync, mkdirSync, openSync, writeSync, fsyncSync, closeSync, renameSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EndpointMap } from '../../protocol/endpoints.js';

export interface Registration {
  device_id: string;
  org_id: string;
  org_name?: string;
  exchange: string;
  region: string;
  endpoints: EndpointMap;
  enrolled_at: string;
  cert_not_after: string;
}

export interface Credentials {
  registration: Registration;
  key: string;
  cert: string;
  ca: string;
}

export function writeAtomic(file: string, data: string, mode = 0o644): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dfd = openSync(dirname(file), 'r');
  try { fsyncSync(dfd); } finally { closeSync(dfd); }
}

export function credentialPaths(dataDir: string, caFile: string) {
  return { key: join(dataDir, 'device.key'), cert: join(dataDir, 'device.crt'), ca: caFile, registration: join(dataDir, 'registration.json') };
}

export function loadCredentials(dataDir: string, caFile: string): Credentials | null {
  const p = credentialPaths(dataDir, caFile);
  if (![p.key, p.cert, p.ca, p.registration].every((f) => existsSync(f))) return null;
  return {
    registration: JSON.parse(readFileSync(p.registration, 'utf8')) as Registration,
    key: readFileSync(p.key, 'utf8'),
    cert: readFileSync(p.cert, 'utf8'),
    ca: readFileSync(p.ca, 'utf8'),
  };
}

export function saveCredentials(dataDir: string, caFile: string, c: Credentials): void {
  const p = credentialPaths(dataDir, caFile);
  writeAtomic(p.key, c.key, 0o600);
  writeAtomic(p.cert, c.cert);
  writeAtomic(p.ca, c.ca);
  // The registration record goes last: its presence means the rest is complete.
  writeAtomic(p.registration, `${JSON.stringify(c.registration, null, 2)}\n`);
}

export function removeCredentials(dataDir: string, caFile: string): void {
  const p = credentialPaths(dataDir, caFile);
  for (const f of [p.registration, p.cert, p.key]) rmSync(f, { force: true });
}
