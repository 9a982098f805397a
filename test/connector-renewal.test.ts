// A connector whose certificate has less than a third of its life left renews it over EST with
// a fresh key, keeps it on disk, and the new certificate is the one the exchange knows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { startTestExchange, cleanup, registrationToken, tmpDir } from './helpers/exchange.js';
import { startConnector, eventually } from './helpers/connector.js';

test('renews a certificate near expiry over EST with a fresh key', { timeout: 60_000 }, async () => {
  const t = await startTestExchange();
  const dir = tmpDir('tl-renew-');
  // The enrollment certificate has one minute left of six (5 min backdated): already due.
  // Renewals get the normal 90 days.
  const ca = t.ex.ctx.ca;
  const sign = ca.signCsr.bind(ca);
  let issued = 0;
  ca.signCsr = (csr, o) => sign(csr, { ...o, days: issued++ === 0 ? 1 / 1440 : 90 });
  const c = await startConnector(dir, { exchange: new URL(t.url).host, token: await registrationToken(t) });
  try {
    const ctx = await c.waitFor((x) => x.status === 'Enrolled', 20_000, 'enrolled');
    const first = new X509Certificate(readFileSync(join(dir, 'data', 'device.crt')));
    const firstKey = readFileSync(join(dir, 'data', 'device.key'), 'utf8');
    await eventually(async () => readFileSync(join(dir, 'data', 'connector.log'), 'utf8').includes('device certificate renewed'), 20_000, 'renewal logged');
    const second = new X509Certificate(readFileSync(join(dir, 'data', 'device.crt')));
    assert.notEqual(second.serialNumber, first.serialNumber);
    assert.ok(new Date(second.validTo).getTime() - Date.now() > 80 * 86400_000, 'the new one lives 90 days');
    assert.notEqual(readFileSync(join(dir, 'data', 'device.key'), 'utf8'), firstKey, 'fresh key');
    assert.match(second.subject, new RegExp(ctx.registration.device_id));
    const now = (await c.local('/v1/contexts/default')).body;
    assert.equal(now.certificate.needs_renewal, false);
    assert.ok(await t.ex.ctx.stores.devices.getCert(second.serialNumber.toLowerCase().replace(/^0+/, '')));
  } finally {
    await c.kill('SIGKILL');
    await t.close();
    cleanup(t.dataDir);
    cleanup(dir);
  }
});
