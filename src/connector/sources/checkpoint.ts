// The durable read position of one file source: `<dir>/<source name>.checkpoint`, JSON
// `{identity, offset}`. A source writes it only after the spool has durably taken the events read
// up to `offset`, so after a crash the source re-reads at most what it had not yet confirmed (and
// the stable event ids make that re-read harmless at the exchange).
//
// Written as temp file + fsync + rename + fsync of the directory: a crash leaves either the old
// checkpoint or the new one, never a torn file.
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

export interface Checkpoint {
  /** The file read: see FileTail (`dev:ino:head`). */
  identity: string;
  /** Byte offset just past the last line whose events the spool has. */
  offset: number;
}

export class CheckpointFile {
  readonly path: string;
  private dirReady = false;

  constructor(
    private readonly dir: string,
    sourceName: string,
  ) {
    // A source name is free text in the config; keep it from naming another directory.
    this.path = join(dir, `${sourceName.replace(/[^A-Za-z0-9._-]/g, '_')}.checkpoint`);
  }

  /** The saved checkpoint; undefined if there is none. Throws if the file exists but is not a checkpoint. */
  async load(): Promise<Checkpoint | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const cp = JSON.parse(text) as Partial<Checkpoint> | null;
    if (typeof cp?.identity !== 'string' || !Number.isSafeInteger(cp.offset) || (cp.offset as number) < 0) {
      throw new Error(`${this.path}: not a checkpoint (${text.slice(0, 80)})`);
    }
    return { identity: cp.identity, offset: cp.offset as number };
  }

  async save(cp: Checkpoint): Promise<void> {
    if (!this.dirReady) {
      await mkdir(this.dir, { recursive: true });
      this.dirReady = true;
    }
    const tmp = `${this.path}.tmp`;
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(JSON.stringify({ identity: cp.identity, offset: cp.offset }) + '\n');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.path);
    // The rename is durable only once the directory entry is.
    const dh = await open(this.dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }
}
