// Fetching a whole feed into a snapshot. A MISP feed is a manifest and one file per event;
// events whose manifest timestamp has not changed are taken from the previous snapshot, so a
// refresh of a large feed downloads only what changed.
import type { FeedSettings } from './settings.js';
import { FEED_FILE, type Snapshot } from './snapshot.js';
import { readSource, sourceChild } from './source.js';
import { MANIFEST } from './formats/misp.js';
import { parseJson } from './formats/json.js';

/** Event files fetched at once from a MISP feed server. */
const MISP_PARALLEL = 4;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Manifest = Record<string, { timestamp?: unknown }>;

function manifestOf(text: string | undefined): Manifest {
  if (text === undefined) return {};
  const m = parseJson(text, MANIFEST);
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new Error(`${MANIFEST} is not an object of event uuids`);
  return m as Manifest;
}

/** The base a MISP source names: its directory, also when the manifest itself was given. */
function mispBase(source: string): string {
  return source.replace(/\/?manifest\.json$/i, '');
}

async function fetchMisp(s: FeedSettings, previous: Snapshot | null, signal: AbortSignal, filesDir: string): Promise<Record<string, string>> {
  const base = mispBase(s.source);
  const manifestText = await readSource(sourceChild(base, MANIFEST), signal, filesDir);
  const manifest = manifestOf(manifestText);
  const reusable = previous?.source === s.source && previous.format === 'misp' ? previous : null;
  let before: Manifest = {};
  try { before = manifestOf(reusable?.files[MANIFEST]); } catch { /* a bad old copy: fetch everything */ }
  const files: Record<string, string> = { [MANIFEST]: manifestText };
  // Only uuids are fetched: a manifest key is never allowed to become a path of its choosing.
  const uuids = Object.keys(manifest).filter((u) => UUID.test(u));
  const todo: string[] = [];
  for (const u of uuids) {
    const name = `${u}.json`;
    const old = reusable?.files[name];
    const same = old !== undefined && before[u]?.timestamp !== undefined && String(before[u]?.timestamp) === String(manifest[u]?.timestamp);
    if (same) files[name] = old;
    else todo.push(name);
  }
  let next = 0;
  let failed = false;
  const worker = async () => {
    // One missing event fails the refresh: the others need not be fetched any more.
    while (next < todo.length && !failed) {
      const name = todo[next++]!;
      try {
        files[name] = await readSource(sourceChild(base, name), signal, filesDir);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(MISP_PARALLEL, todo.length) }, worker));
  return files;
}

/** `filesDir`: the only directory a local source may be read from. */
export async function fetchFeed(s: FeedSettings, previous: Snapshot | null, signal: AbortSignal, filesDir: string): Promise<Snapshot> {
  const fetched_at = new Date().toISOString();
  const files = s.format === 'misp'
    ? await fetchMisp(s, previous, signal, filesDir)
    : { [FEED_FILE]: await readSource(s.source, signal, filesDir) };
  return { source: s.source, format: s.format, fetched_at, files };
}
