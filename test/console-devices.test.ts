// The console's Devices page in Debian's Chromium against a real exchange: health of a connected
// device, the cloud events switch reaching the device's socket, rename, Add device with a token
// the registration API accepts, delete, and a read-only user who sees no admin controls.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestExchange, cleanup, enrollDevice, DeviceSocket, type TestExchange, type EnrolledDevice } from './helpers/exchange.js';
import type { ControlFrame } from '../src/protocol/frames.js';

let t: TestExchange;
let browser: Browser;
let adminPassword: string;
let dev: EnrolledDevice;
let sock: DeviceSocket;

before(async () => {
  t = await startTestExchange();
  adminPassword = t.ex.bootstrap.user.generatedPassword as string;
  dev = await enrollDevice(t, 'sensor-alpha');
  sock = await DeviceSocket.connect(dev);
  await sock.hello();
  sock.ws.send(JSON.stringify({ type: 'heartbeat', status: { spool_depth: 17, version: '7.7.7', last_error: { message: 'eve.json: permission denied', time: new Date().toISOString() } } }));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  sock?.close();
  await browser?.close();
  await t.close();
  cleanup(t.dataDir);
});

async function signedIn(username: string, password: string, width = 1280): Promise<{ context: BrowserContext; page: Page; csp: string[] }> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
  const page = await context.newPage();
  const csp: string[] = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) csp.push(m.text()); });
  await page.goto(`${t.url}/console/devices`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Devices', level: 1 }).waitFor();
  return { context, page, csp };
}

test('admin: health, cloud events switch, rename, add device, delete', async () => {
  const { context, page, csp } = await signedIn('admin', adminPassword);

  // Health at a glance: connected, the heartbeat's spool depth, version and last error.
  const row = page.getByRole('row', { name: /sensor-alpha/ });
  await row.waitFor();
  await row.getByText('connected', { exact: true }).waitFor();
  await row.getByText('7.7.7').waitFor();
  await row.getByRole('cell', { name: '17', exact: true }).waitFor();
  await row.getByText('eve.json: permission denied').waitFor();

  // Cloud events: a labelled switch; off sends the PATCH and the device gets the control frame.
  const sw = page.getByRole('switch', { name: 'Cloud events for sensor-alpha' });
  assert.equal(await sw.getAttribute('aria-checked'), 'true');
  const patched = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith(`/api/v1/devices/${dev.deviceId}`));
  await sw.focus();
  await page.keyboard.press('Space');
  const resp = await patched;
  assert.equal(resp.status(), 200);
  assert.deepEqual(resp.request().postDataJSON(), { cloud_events: false });
  assert.ok(resp.request().headers()['x-csrf-token'], 'the CSRF token rides along');
  const off = await sock.waitFor<ControlFrame>((f) => f.type === 'control' && (f as ControlFrame).action === 'cloud_events');
  assert.deepEqual(off.params, { enabled: false });
  await page.getByRole('switch', { name: 'Cloud events for sensor-alpha', checked: false }).waitFor();
  assert.equal((await t.api(`/api/v1/devices/${dev.deviceId}`)).body.cloud_events, false);

  // Rename.
  await page.getByRole('button', { name: 'Rename sensor-alpha' }).click();
  const input = page.getByLabel('New name for sensor-alpha');
  await input.fill('sensor-beta');
  await input.press('Enter');
  await input.waitFor({ state: 'detached' });
  await page.getByRole('row', { name: /sensor-beta/ }).getByText('sensor-beta', { exact: true }).waitFor();
  assert.equal(await page.getByText('sensor-alpha', { exact: true }).count(), 0, 'the old name is gone (the host name stays)');
  assert.equal((await t.api(`/api/v1/devices/${dev.deviceId}`)).body.name, 'sensor-beta');

  // Add device: a token the registration API accepts, with the command and properties to paste.
  await page.getByRole('button', { name: 'Add device' }).click();
  const tokenEl = page.getByTestId('registration-token');
  await tokenEl.waitFor();
  const token = (await tokenEl.innerText()).trim();
  assert.match(token, /^tlr1\./);
  await page.getByText(`threatlink connector --config /etc/threatlink/connector.properties --token ${token}`).waitFor();
  await page.getByText(`connector_fqdn=${new URL(t.url).host}`).waitFor();
  await page.getByRole('button', { name: 'Copy command' }).click();
  await page.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `threatlink connector --config /etc/threatlink/connector.properties --token ${token}`);
  const added = await enrollDevice(t, 'sensor-gamma', token);
  await page.getByRole('row', { name: /sensor-gamma/ }).getByText('never connected').waitFor();

  // Narrow: no page-wide horizontal scroll, the controls stay reachable.
  await page.setViewportSize({ width: 380, height: 800 });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'no page-wide horizontal scroll');
  await page.setViewportSize({ width: 1280, height: 800 });

  // Delete, with a confirmation; cancel first leaves it.
  await page.getByRole('button', { name: 'Delete sensor-gamma' }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Delete sensor-gamma' }).click();
  await page.getByRole('button', { name: 'Yes, delete sensor-gamma' }).click();
  await page.getByRole('row', { name: /sensor-gamma/ }).waitFor({ state: 'detached' });
  assert.equal((await t.api(`/api/v1/devices/${added.deviceId}`)).status, 404);
  await page.getByRole('row', { name: /sensor-beta/ }).waitFor();

  assert.deepEqual(csp, []);
  await context.close();
});

test('read-only: sees the devices and no admin controls', async () => {
  const made = await t.api('/console/api/users', { method: 'POST', body: { username: 'viewer', password: 'viewer-password-1', role: 'read-only' } });
  assert.equal(made.status, 201, made.text);
  const { context, page } = await signedIn('viewer', 'viewer-password-1', 380);
  const row = page.getByRole('row', { name: /sensor-/ }).first();
  await row.waitFor();
  await row.getByText(/^(on|off)$/).waitFor();
  assert.equal(await page.getByRole('switch').count(), 0);
  assert.equal(await page.getByRole('button', { name: /Rename|Delete|Add device/ }).count(), 0);
  assert.equal(await page.getByRole('columnheader', { name: 'Actions' }).count(), 0);
  await context.close();
});
