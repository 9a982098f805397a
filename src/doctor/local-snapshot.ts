// `curl localhost:8989/v1/contexts/default`, bounded: the connector's own account of itself.
import { get } from 'node:http';
import type { LocalSnapshot } from './check.js';
import { within } from './net/within.js';

export function fetchSnapshot(port: number, ms: number): Promise<LocalSnapshot> {
  let destroy = (): void => {};
  return within(
    new Promise<LocalSnapshot>((resolve, reject) => {
      const req = get({ host: '127.0.0.1', port, path: '/v1/contexts/default', agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.once('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`127.0.0.1:${port} answered ${res.statusCode} to GET /v1/contexts/default: ${text.slice(0, 200)}`));
          try {
            resolve(JSON.parse(text) as LocalSnapshot);
          } catch {
            reject(new Error(`127.0.0.1:${port} answered with something that is not JSON: is another program on connector_port?`));
          }
        });
      });
      destroy = () => req.destroy();
      req.once('error', reject);
    }),
    ms,
    () => destroy(),
  );
}
