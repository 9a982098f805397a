// The last content fetched for a feed, kept on disk so a restart (or a feed server that is
// down) still has the indicators. It is the raw content, not the parsed indicators, so that
// changing how the feed is read (a column, to_ids_only) needs no new download.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FeedFormat } from './settings.js';

export interface Snapshot {
  source: string;
  format: FeedFormat;
  fetched_at: string;
  /** By name relative to the source: FEED_FILE for one-file formats; MISP's manifest and events. */
  files: Record<string, string>;
}

/** The one file of list, csv and stix2 feeds. */
export const FEED_FILE = 'feed';

/** Ids become single path segments: whatever they hold, they cannot climb out of the feeds dir. */
function segment(id: string): string {
  const s = id.replace(/[^A-Za-z0-9._-]/g, '_');
  return s === '' || /^\.+$/.test(s) ? `_${s}` : s;
}

export function snapshotDir(dataDir: string, orgId: string, instanceId: string): string {
  return join(dataDir, 'response', 'feeds', segment(orgId), segment(instanceId));
}

export async function saveSnapshot(dir: string, snap: Snapshot): Promise<void> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'snapshot.json');
  // Write then rename: a crash mid-write leaves the previous copy, never half of one.
  // A unique name: a rebuilt module and its closing predecessor may both be writing.
  const tmp = `${file}.${randomUUID()}.tmp`;
  await writeFile(tmp, JSON.stringify(snap));
  await rename(tmp, file);
}

/** Null when there is none yet or it cannot be read (then the feed is simply fetched). */
export async function loadSnapshot(dir: string): Promise<Snapshot | null> {
  let text: string;
  try {
    text = await readFile(join(dir, 'snapshot.json'), 'utf8');
  } catch {
    return null;
  }
  const s = JSON.parse(text) as Snapshot;
  if (typeof s?.source !== 'string' || typeof s.files !== 'object' || s.files === null) throw new Error('snapshot.json is not a feed snapshot');
  return s;
}
