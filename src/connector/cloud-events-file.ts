// The exchange's cloud events switch, kept in the data dir: its last word holds across a
// restart until its next hello, and goes with the device identity it belonged to.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from './uplink/credentials.js';

function file(dataDir: string): string {
  return join(dataDir, 'cloud_events.json');
}

/** On unless the exchange last said off. */
export function loadCloudEvents(dataDir: string): boolean {
  try {
    return (JSON.parse(readFileSync(file(dataDir), 'utf8')) as { enabled: boolean }).enabled !== false;
  } catch {
    return true;
  }
}

export function saveCloudEvents(dataDir: string, enabled: boolean, origin: string): void {
  writeAtomic(file(dataDir), JSON.stringify({ enabled, origin, at: new Date().toISOString() }));
}

export function removeCloudEvents(dataDir: string): void {
  rmSync(file(dataDir), { force: true });
}
