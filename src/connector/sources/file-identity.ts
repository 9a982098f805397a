// Identity of a tailed file (`dev:ino:head`, see file-tail.ts for why) and finding the file a
// checkpoint names, at its path or under a rotated sibling's name.
import { createHash } from 'node:crypto';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const HEAD_BYTES = 128;

export async function openIfExists(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Hash of the file's first line (at most HEAD_BYTES of it); undefined while that line is incomplete. */
export async function headHash(fh: FileHandle): Promise<string | undefined> {
  const b = Buffer.alloc(HEAD_BYTES);
  const { bytesRead } = await fh.read(b, 0, HEAD_BYTES, 0);
  const nl = b.subarray(0, bytesRead).indexOf(10);
  if (nl < 0 && bytesRead < HEAD_BYTES) return undefined;
  return createHash('sha256')
    .update(b.subarray(0, nl < 0 ? HEAD_BYTES : nl))
    .digest('hex')
    .slice(0, 8);
}

function parseIdentity(id: string): { ino: string; head: string } | undefined {
  const m = /^(\d+):(\d+):([0-9a-f]+)$/.exec(id);
  return m ? { ino: m[2]!, head: m[3]! } : undefined;
}

/** The open file is the one the identity names: same inode, same first line (the device may have been renumbered). */
export async function matches(fh: FileHandle, identity: string): Promise<boolean> {
  const want = parseIdentity(identity);
  if (!want) return false;
  const st = await fh.stat({ bigint: true });
  return String(st.ino) === want.ino && (await headHash(fh)) === want.head;
}

/** A sibling of `path` such as eve.json.1 or alert_json.txt.1690000000 that is the checkpointed file. */
export async function findRotated(path: string, cp: string): Promise<{ fh: FileHandle; path: string } | undefined> {
  const want = parseIdentity(cp);
  if (!want) return undefined;
  const dir = dirname(path);
  const base = basename(path);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  for (const name of names) {
    if (name === base || !name.startsWith(base)) continue;
    const p = join(dir, name);
    const st = await stat(p, { bigint: true }).catch(() => undefined);
    if (!st?.isFile() || String(st.ino) !== want.ino) continue;
    const fh = await openIfExists(p);
    if (!fh) continue;
    if (await matches(fh, cp)) return { fh, path: p };
    await fh.close();
  }
  return undefined;
}
