// `up --tls-cert/--tls-key` with files that cannot serve: the option and the file are named, and
// what is wrong with it, rather than OpenSSL's "PEM routines::no start line".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir, cleanup } from './helpers/exchange.js';
import { freePort, runCliToEnd } from './helpers/process.js';
import { ExchangeCa } from '../src/exchange/pki/ca.js';

test('a missing, unparsable or mismatched --tls-cert or --tls-key is named with what is wrong', { timeout: 120_000 }, async () => {
  const dir = tmpDir('tl-cli-tlsbad-');
  try {
    const own = await ExchangeCa.loadOrCreate(join(dir, 'corp-ca'), { commonName: 'Corp Root' });
    const a = await own.issueServerCert(['localhost', '127.0.0.1']);
    const b = await own.issueServerCert(['localhost', '127.0.0.1']);
    const f = (name: string, text: string) => { writeFileSync(join(dir, name), text); return join(dir, name); };
    const [cert, key, otherKey] = [f('a.crt', a.certPem), f('a.key', a.keyPem), f('b.key', b.keyPem)];
    mkdirSync(join(dir, 'a-dir'));
    const cases: Array<[string, string, string]> = [
      [join(dir, 'none.crt'), key, `--tls-cert ${join(dir, 'none.crt')}: cannot read it: no such file`],
      [cert, join(dir, 'a-dir'), `--tls-key ${join(dir, 'a-dir')}: cannot read it: it is a directory`],
      [key, cert, `--tls-cert ${key}: not a PEM certificate`],
      [cert, cert, `--tls-key ${cert}: not a PEM private key`],
      [cert, otherKey, `--tls-key ${otherKey} is not the key of --tls-cert ${cert}`],
    ];
    for (const [c, k, why] of cases) {
      const r = await runCliToEnd(['up', '--data-dir', join(dir, 'data'), '--listen', `127.0.0.1:${await freePort()}`, '--tls-cert', c, '--tls-key', k], { THREATLINK_LOG_LEVEL: 'warn' }, 30_000);
      assert.equal(r.code, 1, `${why}: ${r.stdout}`);
      assert.ok(r.stderr.includes(why), `expected "${why}" in:\n${r.stderr}`);
    }
  } finally {
    cleanup(dir);
  }
});
