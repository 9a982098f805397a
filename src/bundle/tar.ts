// A POSIX ustar writer, enough for a troubleshoot bundle: regular files and directories, names
// up to 255 bytes (prefix + name). No dependency in package.json writes tar, and this is small.
import { gzipSync } from 'node:zlib';

export interface TarEntry {
  /** Path inside the archive, '/'-separated; a trailing '/' makes a directory. */
  name: string;
  data?: Buffer | string;
  mode?: number;
  mtime?: Date;
}

const BLOCK = 512;

function octal(n: number, width: number): string {
  // width - 1 digits and a NUL, as GNU tar and bsdtar both read.
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

/** ustar keeps 100 bytes of name and 155 of prefix, split at a '/'. */
function splitName(name: string): { prefix: string; name: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', name };
  for (let i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest !== '') return { prefix, name: rest };
  }
  throw new Error(`tar: name too long for ustar: ${name}`);
}

function header(e: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  const dir = e.name.endsWith('/');
  const { prefix, name } = splitName(e.name);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(e.mode ?? (dir ? 0o755 : 0o644), 8), 100, 'latin1');
  h.write(octal(0, 8), 108, 'latin1');
  h.write(octal(0, 8), 116, 'latin1');
  h.write(octal(size, 12), 124, 'latin1');
  h.write(octal(Math.floor((e.mtime ?? new Date()).getTime() / 1000), 12), 136, 'latin1');
  h.write(dir ? '5' : '0', 156, 'latin1');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  h.write('root', 265, 'latin1');
  h.write('root', 297, 'latin1');
  h.write(prefix, 345, 155, 'utf8');
  // The checksum is summed with its own field read as eight blanks.
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

export function tar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.name.endsWith('/') ? Buffer.alloc(0) : Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data ?? '', 'utf8');
    if (data.length > 0o77777777777) throw new Error(`tar: ${e.name} is too large for ustar (8 GiB)`);
    parts.push(header(e, data.length), data);
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad, 0));
  }
  // The end of the archive: two zero blocks.
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}

export function tarGz(entries: TarEntry[]): Buffer {
  return gzipSync(tar(entries), { level: 6 });
}
