// The operator's own server certificate (--tls-cert/--tls-key), checked before it is served:
// each fault names the option, the file and what is wrong, where OpenSSL would say only
// "PEM routines::no start line" or "key values mismatch".
import { readFileSync } from 'node:fs';
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { ConfigError } from './config.js';

function read(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory'
      : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new ConfigError(`${flag} ${file}: cannot read it: ${why}`);
  }
}

export function loadOperatorTls(certFile: string, keyFile: string): { cert: string; key: string } {
  const cert = read('--tls-cert', certFile);
  const key = read('--tls-key', keyFile);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new ConfigError(`--tls-cert ${certFile}: not a PEM certificate (-----BEGIN CERTIFICATE-----, the server's first, then its chain)`);
  }
  let pk: KeyObject;
  try {
    pk = createPrivateKey(key);
  } catch {
    throw new ConfigError(`--tls-key ${keyFile}: not a PEM private key (-----BEGIN PRIVATE KEY----- or an RSA/EC one, unencrypted)`);
  }
  if (!x509.checkPrivateKey(pk)) throw new ConfigError(`--tls-key ${keyFile} is not the key of --tls-cert ${certFile} (${x509.subject.replace(/\n/g, ', ')})`);
  return { cert, key };
}
