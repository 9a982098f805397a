// The local API's context (POST /v1/contexts/) kept in the data dir, so a restart keeps what an
// API caller set. connector.properties stays the operator's file: nothing is written to it. A
// saved context wins over connector_fqdn (it is the later, explicit choice), and the connector
// says so at start; DELETE /v1/contexts/default removes it, and connector_fqdn applies again.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from './uplink/credentials.js';

export interface SavedContext {
  fqdn?: { host: string; port: number };
  refreshInterval?: number;
  clientInfo?: Record<string, unknown>;
  created_at: string;
}

function file(dataDir: string): string {
  return join(dataDir, 'context.json');
}

export function loadContext(dataDir: string): SavedContext | null {
  try {
    return JSON.parse(readFileSync(file(dataDir), 'utf8')) as SavedContext;
  } catch {
    return null;
  }
}

export function saveContext(dataDir: string, ctx: SavedContext): void {
  writeAtomic(file(dataDir), JSON.stringify(ctx), 0o600);
}

export function removeContext(dataDir: string): void {
  rmSync(file(dataDir), { force: true });
}

/** `settings.exchange.fqdn` as POSTed: host[:port], an IPv6 host in brackets; 443 unless given. */
export function parseContextFqdn(fqdn: string): { host: string; port: number } {
  const m = /^([^:]+|\[[^\]]+\])(?::(\d+))?$/.exec(fqdn);
  if (!m) throw Object.assign(new Error(`settings.exchange.fqdn: "${fqdn}" is not host[:port]`), { statusCode: 400, code: 'bad_request' });
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2] ?? 443) };
}
