// threatlink's own RS256 key pair, which signs the configuration tokens relay modules check
// against GET /.well-known/jwks. Made once per data dir and kept: a new key would make every
// module that cached the old JWKS refuse our tokens until it fetches again.
import { generateKeyPair, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';

export interface SigningKey {
  /** RFC 7638 thumbprint of the public key: stable for the key, so modules can cache by it. */
  kid: string;
  privateKey: KeyObject;
  /** As /.well-known/jwks serves it. */
  publicJwk: JWK & { kid: string; alg: 'RS256'; use: 'sig' };
}

export function signingKeyDir(dataDir: string): string {
  return join(dataDir, 'response', 'jwks');
}

async function readOrCreatePem(file: string): Promise<string> {
  if (existsSync(file)) return readFileSync(file, 'utf8');
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  // Off the event loop: RSA generation takes long enough to stall requests in flight.
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  try {
    // 'wx': another process that made one at the same moment wins, and we use its key.
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8');
    throw new Error(`cannot write the token signing key ${file}: ${(err as Error).message}`);
  }
  const mode = statSync(file).mode & 0o777;
  if (mode !== 0o600) throw new Error(`${file} has mode ${mode.toString(8)}, expected 600`);
  return pem;
}

async function load(dataDir: string): Promise<SigningKey> {
  const file = join(signingKeyDir(dataDir), 'signing-key.pem');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(await readOrCreatePem(file));
  } catch (err) {
    throw new Error(`token signing key ${file}: ${(err as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error(`token signing key ${file}: not an RSA key`);
  const { kty, n, e } = createPublicKey(privateKey).export({ format: 'jwk' });
  const base = { kty: kty!, n: n!, e: e! };
  const kid = await calculateJwkThumbprint(base, 'sha256');
  return { kid, privateKey, publicJwk: { ...base, kid, alg: 'RS256', use: 'sig' } };
}

const loaded = new Map<string, Promise<SigningKey>>();

/** The data dir's key, read (or made) on first use and then held for the process. */
export function signingKey(dataDir: string): Promise<SigningKey> {
  let p = loaded.get(dataDir);
  if (!p) {
    p = load(dataDir);
    // A failure is not cached: the operator may fix the directory and the next call retries.
    p.catch(() => loaded.delete(dataDir));
    loaded.set(dataDir, p);
  }
  return p;
}
