// The HTTPS server's certificate: the operator's own (--tls-cert/--tls-key), or one the exchange
// CA issues for the listen names, renewed when the names change or expiry is near.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExchangeCa } from './pki/ca.js';
import { certInfo } from '../pki/x509.js';
import type { ExchangeConfig } from './config.js';
import { paths } from './config.js';
import { loadOperatorTls } from './operator-tls.js';

export async function serverTls(config: ExchangeConfig, ca: ExchangeCa): Promise<{ cert: string; key: string }> {
  if (config.tlsCert && config.tlsKey) {
    return loadOperatorTls(config.tlsCert, config.tlsKey);
  }
  const dir = paths(config.dataDir).tlsDir;
  const certFile = join(dir, 'server.crt');
  const keyFile = join(dir, 'server.key');
  if (existsSync(certFile) && existsSync(keyFile)) {
    const cert = readFileSync(certFile, 'utf8');
    const info = certInfo(cert);
    const fresh = info.notAfter.getTime() - Date.now() > 30 * 86400_000;
    const covers = config.serverNames.every((n) => info.dnsNames.includes(n) || info.ipAddresses.includes(n));
    if (fresh && covers && (await ca.verifyIssued(cert))) return { cert, key: readFileSync(keyFile, 'utf8') };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { certPem, keyPem } = await ca.issueServerCert(config.serverNames);
  writeFileSync(keyFile, keyPem, { mode: 0o600 });
  writeFileSync(certFile, certPem);
  return { cert: certPem, key: keyPem };
}
