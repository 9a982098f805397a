// The exchange's files as a command on its host (token, org, ca-fingerprint) finds them. A file
// this user may not look at is not a missing one: "run up once" would make a second exchange.
import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fingerprint } from '../pki/x509.js';

/** False only when the file is known not to be there; throws when this user may not look. */
export function present(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw unreadable(file, e);
  }
}

export function unreadable(file: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM'
    ? new Error(`cannot read ${file}: permission denied; run this as the user the exchange runs as (the owner of its data dir), or with sudo -u that user`)
    : new Error(`cannot read ${file}: ${(e as Error).message}`);
}

/** The data dir a file of it sits in, for "is this an exchange's?" hints. */
const dataDirOf = (caFile: string) => dirname(dirname(caFile));

export function caFingerprintOf(caFile: string): string {
  let pem: string;
  try {
    pem = readFileSync(caFile, 'utf8');
  } catch (e) {
    throw unreadable(caFile, e);
  }
  try {
    return fingerprint(pem);
  } catch {
    throw new Error(`${caFile} is not a PEM certificate: is ${dataDirOf(caFile)} an exchange's data dir?`);
  }
}
