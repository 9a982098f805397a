// Atomic, idempotent writes of the blocklist files. A reader (Suricata reloading on USR2, a
// script) sees the old file or the new one, never half of one; a file whose bytes would not
// change is not touched, so repeating an action costs reads only.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RenderedFile } from './render.js';

function same(file: string, content: string): boolean {
  try {
    return readFileSync(file, 'utf8') === content;
  } catch {
    return false;
  }
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

/** Writes the files that differ (temp file, fsync, rename, then fsync of each directory
 * touched); returns the paths written. */
export function writeFiles(root: string, files: readonly RenderedFile[]): string[] {
  const written: string[] = [];
  const dirs = new Set<string>();
  for (const f of files) {
    const file = join(root, f.path);
    if (same(file, f.content)) continue;
    // 0755 / 0644: Suricata usually runs as another user and must read these.
    mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
    const tmp = `${file}.tmp-${process.pid}`;
    try {
      const fd = openSync(tmp, 'w', 0o644);
      try {
        writeSync(fd, f.content);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, file);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    dirs.add(dirname(file));
    written.push(f.path);
  }
  for (const d of dirs) fsyncDir(d);
  return written;
}
