// Where `doctor bundle --out` writes, settled before anything is collected: a directory means
// the default name inside it, and a path that cannot be written to is named now, not after
// the doctor has run.
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export function outFile(out: string | undefined, defaultName: string): string {
  if (out === undefined) return resolve(defaultName);
  const path = resolve(out);
  const st = statSync(path, { throwIfNoEntry: false });
  if (st?.isDirectory()) return join(path, defaultName);
  const dir = dirname(path);
  const parent = statSync(dir, { throwIfNoEntry: false });
  if (!parent) throw new Error(`--out ${out}: the directory ${dir} does not exist`);
  if (!parent.isDirectory()) throw new Error(`--out ${out}: ${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new Error(`--out ${out}: this user may not write in ${dir}`);
  }
  return path;
}
