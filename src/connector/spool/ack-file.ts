// The persisted ack position (`<dir>/ack`: the seq of the first unacknowledged record, in
// decimal). Replaced atomically: write a temp file, fsync it, rename over, fsync the directory,
// so a crash leaves either the old or the new position, never a torn one.
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDir } from './fs-util.js';

export async function readAckPosition(dir: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, 'ack'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const n = Number(text.trim());
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

export async function writeAckPosition(dir: string, seq: number): Promise<void> {
  const tmp = join(dir, 'ack.tmp');
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(`${seq}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dir, 'ack'));
  await syncDir(dir);
}

