// The console's Doctor page in Debian's Chromium against a real exchange: a device with a known
// last error and two recorded connections (a normal close and a cut), opened by its address;
// the verdict, the fault's meaning and remedy, counters, certificate, the doctor command and the
// history; picking another device by keyboard, back, a reconnect showing up, and a narrow window.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser } from 'playwright-core';
import { startTestExchange, cleanup, enrollDevice, DeviceSocket, intrusion, type TestExchange, type EnrolledDevice } from './helpers/exchange.js';

const ERROR = 'websocket: dial tcp 192.0.2.10:443: connect: connection refused';
const COMMAND = 'threatlink doctor --config /etc/threatlink/connector.properties';

let t: TestExchange;
let browser: Browser;
let adminPassword: string;
let dev: EnrolledDevice;
let other: EnrolledDevice;

/** Until the device's newest `n` connections have their close recorded. */
async function closesRecorded(deviceId: string, n: number): Promise<void> {
  for (;;) {
    const rows = (await t.api(`/api/v1/devices/${deviceId}/connections`)).body.data as Array<{ closed_at: string | null }>;
    if (rows.length >= n && rows.slice(0, n).every((r) => r.closed_at !== null)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

before(async () => {
  t = await startTestExchange();
  adminPassword = t.ex.bootstrap.user.generatedPassword as string;
  dev = await enrollDevice(t, 'sensor-doc');
  other = await enrollDevice(t, 'sensor-quiet');

  const first = await DeviceSocket.connect(dev);
  await first.hello();
  first.ws.send(JSON.stringify({
    type: 'heartbeat',
    status: {
      version: '3.1.0', spool_depth: 42, spool_bytes: 4096,
      counters: { read: 120, sent: 100, acked: 90, rejected: 0, rejected_local: 1, dropped: 0 },
      last_error: { message: ERROR, time: new Date().toISOString() },
    },
  }));
  await first.sendBatch(1, [intrusion(), intrusion()]);
  first.ws.close(1000, 'connector stopping');
  await first.waitClosed();
  await closesRecorded(dev.deviceId, 1);

  const second = await DeviceSocket.connect(dev);
  await second.hello();
  second.ws.terminate();
  await closesRecorded(dev.deviceId, 2);
  // The last counters flush lands within a second; the page must show it, so wait for it here.
  while ((await t.api(`/api/v1/devices/${dev.deviceId}`)).body.events_received !== 2) await new Promise((r) => setTimeout(r, 50));

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  await browser?.close();
  await t.close();
  cleanup(t.dataDir);
});

test('a deep link to a device: verdict, known fault, counters, command, history; pick, back, refresh, narrow', async () => {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
  const page = await context.newPage();
  const csp: string[] = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) csp.push(m.text()); });

  await page.goto(`${t.url}/console/doctor/${dev.deviceId}`);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Doctor', level: 1 }).waitFor();
  await page.getByRole('heading', { name: /sensor-doc/, level: 2 }).waitFor();

  // The verdict comes first and names the state and the error.
  const verdict = page.getByTestId('verdict');
  await verdict.getByText(/^disconnected since .+ — last error: websocket: dial tcp 192\.0\.2\.10:443: connect: connection refused$/).waitFor();

  // The known fault, named: what it means and what to do.
  await page.getByText('the exchange refuses connections', { exact: false }).waitFor();
  await page.getByText(/check that the exchange runs and listens/).waitFor();

  // Counters from the record and the heartbeat; the device facts.
  const fact = async (term: string) => (await page.locator('dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]').innerText()).trim();
  assert.equal(await fact('Events in'), '2');
  assert.equal(await fact('Rejected'), '0');
  assert.equal(await fact('Spool depth'), '42');
  assert.equal(await fact('Sent'), '100');
  assert.equal(await fact('Acked'), '90');
  assert.equal(await fact('Version'), '3.1.0');
  assert.equal(await fact('Cloud events'), 'on');
  assert.match(await fact('Remote address'), /^127\.0\.0\.1:\d+$/);
  await page.locator('dd', { hasText: /\(in (89|90) days\)$/ }).waitFor();

  // The command for the sensor host, copied exactly.
  assert.equal((await page.getByTestId('doctor-command').innerText()).trim(), COMMAND);
  await page.getByRole('button', { name: 'Copy doctor command' }).click();
  await page.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), COMMAND);

  // The history, newest first: the cut, then the normal close.
  const history = page.getByRole('table', { name: /Connection history of sensor-doc/ });
  const rows = history.locator('tbody tr');
  assert.equal(await rows.count(), 2);
  assert.match(await rows.nth(0).innerText(), /connection cut \(1006, no close frame\)/);
  assert.match(await rows.nth(1).innerText(), /closed by the device \(1000 normal close\): connector stopping/);
  assert.match(await rows.nth(1).innerText(), /3\.1\.0/);

  // Pick the other device with the keyboard: the address follows; back returns.
  const quiet = page.getByRole('link', { name: 'sensor-quiet, never connected' });
  await quiet.focus();
  await page.keyboard.press('Enter');
  await verdict.getByText('never connected', { exact: true }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/console/doctor/${other.deviceId}`);
  await page.getByText('No connections recorded yet.').waitFor();
  await page.goBack();
  await page.getByRole('heading', { name: /sensor-doc/, level: 2 }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'sensor-doc, disconnected' }).getAttribute('aria-current'), 'page');

  // The page refreshes by itself: a reconnect shows up as connected, with an open row on top.
  const again = await DeviceSocket.connect(dev);
  await again.hello();
  await verdict.getByText(/^connected — last error: /).waitFor();
  await page.getByRole('link', { name: 'sensor-doc, connected' }).waitFor();
  await history.locator('tbody tr').first().getByRole('cell', { name: 'open' }).first().waitFor();

  // Narrow: no page-wide horizontal scroll; the history scrolls in its own region.
  await page.setViewportSize({ width: 420, height: 800 });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'no page-wide horizontal scroll');
  await page.getByRole('region', { name: /Connection history of sensor-doc/ }).waitFor();

  again.close();
  assert.deepEqual(csp, []);
  await context.close();
});

test('an address naming no device of the org says so', async () => {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(`${t.url}/console/doctor/no-such-device`);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'No device no-such-device in this org' }).waitFor();
  await page.getByRole('link', { name: 'sensor-doc, disconnected' }).waitFor();
  await context.close();
});
