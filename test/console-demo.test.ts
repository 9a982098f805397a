// The console as a new user meets it: `threatlink up --demo` (the real CLI, its demo connector
// tailing a simulated Suricata EVE file over the real TLS uplink), driven in Debian's Chromium.
// Sign in; add a device and see its command; demo events arriving live; investigate a demo
// domain and find its graph nodes and sightings; block it and watch the demo sensor acknowledge;
// move a demo incident New → Open → Closed; a read-only user who can change nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { tmpDir, cleanup, ADMIN_ID, ADMIN_SECRET } from './helpers/exchange.js';
import { https, accessToken } from './helpers/https.js';
import { freePort, runCli, type Running } from './helpers/process.js';
import { eventually } from './helpers/connector.js';

const PASSWORD = 'demo-admin-password-1';
const DOMAIN = 'evil-c2.duckdns.org';

let dir: string;
let base: string;
let up: Running;
let browser: Browser;
let ca: string;
let token: string;

const api = (path: string, o: { method?: string; body?: unknown } = {}) => https(`${base}${path}`, { ca, token, ...o });

before(async () => {
  dir = tmpDir('tl-console-demo-');
  const port = await freePort();
  base = `https://127.0.0.1:${port}`;
  up = await runCli(
    ['up', '--demo', '--data-dir', dir, '--listen', `127.0.0.1:${port}`, '--demo-connector-port', String(await freePort()), '--demo-rate', '10'],
    {
      THREATLINK_BOOTSTRAP_CLIENT_ID: ADMIN_ID, THREATLINK_BOOTSTRAP_CLIENT_SECRET: ADMIN_SECRET,
      THREATLINK_BOOTSTRAP_USER: 'admin', THREATLINK_BOOTSTRAP_PASSWORD: PASSWORD, THREATLINK_LOG_LEVEL: 'warn',
    },
    /demo sensor/,
  );
  ca = readFileSync(join(dir, 'ca', 'ca.crt'), 'utf8');
  token = await accessToken(base, ca, ADMIN_ID, ADMIN_SECRET);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  up?.child.kill('SIGTERM');
  await up?.exited;
  cleanup(dir);
});

async function signedIn(username: string, password: string, path = 'devices'): Promise<{ context: BrowserContext; page: Page; csp: string[] }> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const csp: string[] = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) csp.push(m.text()); });
  await page.goto(`${base}/console/${path}`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1 }).waitFor();
  return { context, page, csp };
}

const nav = (page: Page, name: string) => page.getByRole('navigation').getByRole('link', { name, exact: true }).click();

test('admin on up --demo: device, live events, investigate, block, incident workflow', { timeout: 240_000 }, async () => {
  const { context, page, csp } = await signedIn('admin', PASSWORD);

  // Devices: the demo sensor connected; Add device gives a token and the command to paste.
  await page.getByRole('row', { name: /demo-sensor/ }).getByText('connected', { exact: true }).waitFor({ timeout: 20_000 });
  await page.getByRole('button', { name: 'Add device' }).click();
  const tokenText = (await page.getByTestId('registration-token').innerText()).trim();
  assert.match(tokenText, /^tlr1\./);
  await page.getByText(`threatlink connector --config /etc/threatlink/connector.properties --token ${tokenText}`).waitFor();

  // Events: the demo's alerts listed, and new ones arriving while the page is open.
  await nav(page, 'Events');
  const rows = page.locator('table tbody tr[data-event-id], table tbody tr:has([data-event-id])');
  await rows.first().waitFor({ timeout: 20_000 });
  const firstId = await page.locator('[data-event-id]').first().getAttribute('data-event-id');
  let navigations = 0;
  page.on('framenavigated', () => navigations++);
  await eventually(async () => {
    const top = await page.locator('[data-event-id]').first().getAttribute('data-event-id');
    return top !== firstId ? top : null;
  }, 20_000, 'a newer demo event at the top without a reload');
  assert.equal(navigations, 0, 'no reload');
  await page.getByRole('status').filter({ hasText: /new event/ }).first().waitFor({ state: 'attached' });

  // Investigate a demo domain: its node in the graph, the exchange's sightings of it.
  await eventually(async () => {
    const r = await api(`/api/v1/events?observable=${DOMAIN}&limit=1`);
    return r.body.data.length > 0 ? true : null;
  }, 30_000, `a demo event naming ${DOMAIN}`);
  await nav(page, 'Investigate');
  await page.getByLabel('Text to investigate').fill(`beacon to ${DOMAIN.replace(/\./g, '[.]')} seen on the proxy`);
  await page.getByRole('button', { name: 'Investigate' }).click();
  await page.getByRole('status').filter({ hasText: /^All \d+ modules answered$/ }).waitFor({ timeout: 30_000 });
  await page.getByRole('heading', { name: 'Graph' }).waitFor();
  await page.locator(`[data-node-id="observable:domain:${DOMAIN}"]`).waitFor({ state: 'attached' });
  const kinds = new Set(await page.locator('[aria-label="Graph nodes"] li').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-kind'))));
  assert.ok(kinds.has('sighting') && kinds.has('target'), `sighting and target nodes: ${[...kinds]}`);
  const sighting = page.locator('table.inv-sightings tr[data-module="Exchange sightings"]').first();
  await sighting.waitFor();
  assert.match(await sighting.getByRole('link').getAttribute('href') ?? '', /\/console\/events/);

  // Block it: the demo connector applies it to its blocklists and acknowledges.
  const row = page.locator(`table.inv-observables tr[data-observable="domain:${DOMAIN}"]`);
  await row.getByRole('button', { name: new RegExp(`^Block on sensors ${DOMAIN.replace(/\./g, '\\.')}`) }).click();
  const delivery = row.getByRole('status', { name: `Block on sensors ${DOMAIN}: delivery` });
  await delivery.getByText(/demo-sensor: acknowledged/).waitFor({ timeout: 20_000 });
  const actions = await api('/api/v1/response-actions');
  const block = actions.body.data.find((a: any) => a.type === 'block' && a.observable.value === DOMAIN);
  assert.deepEqual(block.devices.map((d: any) => d.state), ['ok']);

  // An incident the demo's priority-1 alerts opened: New → Open → Closed.
  const incident = await eventually(async () => {
    const r = await api('/ctia/incident/search?status=New&limit=1');
    return r.body[0] ?? null;
  }, 30_000, 'an incident opened by the demo alerts');
  const id = (incident.id as string).split('/').pop() as string;
  await nav(page, 'Incidents');
  await page.goto(`${base}/console/incidents/${id}`);
  const detail = page.getByRole('region', { name: new RegExp(incident.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) });
  await detail.getByRole('heading', { level: 2 }).waitFor();
  await detail.getByRole('button', { name: 'Open', exact: true }).click();
  await eventually(async () => ((await api(`/ctia/incident/${id}`)).body.status === 'Open' ? true : null), 10_000, 'status Open');
  await detail.getByRole('button', { name: 'Close', exact: true }).click();
  await eventually(async () => ((await api(`/ctia/incident/${id}`)).body.status.startsWith('Closed') ? true : null), 10_000, 'status Closed');
  const closed = (await api(`/ctia/incident/${id}`)).body;
  assert.ok(closed.incident_time.closed, 'closing stamps incident_time.closed');

  assert.deepEqual(csp, []);
  await context.close();
});

test('Doctor on up --demo: the demo device\'s own config file, and up --demo to restart it', { timeout: 60_000 }, async () => {
  const config = join(dir, 'demo', 'connector.properties');
  const demo = (await api('/api/v1/devices')).body.data.find((d: any) => d.name === 'demo-sensor');
  const { context, page, csp } = await signedIn('admin', PASSWORD, `doctor/${demo.id}`);
  await page.getByRole('heading', { name: /demo-sensor/, level: 2 }).waitFor();
  assert.equal((await page.getByTestId('doctor-command').innerText()).trim(), `threatlink doctor --config ${config}`);
  const hint = await page.getByTestId('doctor-embedded').innerText();
  assert.match(hint, /runs inside threatlink up --demo, reading /);
  assert.ok(hint.includes(config), hint);
  assert.match(hint, /restart threatlink up --demo \(stop it, then start it again\): threatlink service does not manage it/);
  const shown = await page.locator('section.doctor-device').innerText();
  assert.ok(!shown.includes('/etc/threatlink/connector.properties'), 'no default path for a device whose config is known');
  assert.deepEqual(csp, []);
  await context.close();
  // The page has it from the diagnosis: what the embedded connector says of itself (its local
  // API snapshot), passed on by the exchange.
  const diagnosis = await api(`/api/v1/devices/${demo.id}/diagnosis`);
  assert.deepEqual(diagnosis.body.connector, { config_file: config, embedded_in: 'threatlink up --demo' });
});

test('read-only on up --demo: sees every page, can change nothing', { timeout: 120_000 }, async () => {
  const made = await api('/console/api/users', { method: 'POST', body: { username: 'viewer', password: 'viewer-password-1', role: 'read-only' } });
  assert.equal(made.status, 201, made.text);
  const { context, page } = await signedIn('viewer', 'viewer-password-1');
  // Names of the controls that change something, on any page (filters and navigation do not).
  const changers = /^(Add device|Rename .*|Delete .*|Block on sensors.*|Unblock.*|Promote to incident|Add \d+ to casebook|Open|Close|Reopen|Set status|Add note|Assign to me|Unassign .*|Add module|Add relay module|Add feed|New casebook|Create.*|Enable .*|Disable .*)$/;

  await page.getByRole('row', { name: /demo-sensor/ }).waitFor({ timeout: 20_000 });
  assert.equal(await page.getByRole('button', { name: changers }).count(), 0, 'devices: nothing to change');
  assert.equal(await page.getByRole('switch').count(), 0);

  await page.goto(`${base}/console/investigate?q=${DOMAIN}`);
  await page.getByRole('status').filter({ hasText: /^All \d+ modules answered$/ }).waitFor({ timeout: 30_000 });
  await page.locator(`table.inv-observables tr[data-observable="domain:${DOMAIN}"]`).waitFor();
  assert.equal(await page.getByRole('button', { name: changers }).count(), 0, 'investigate: no actions');

  const incident = (await api('/ctia/incident/search?limit=1')).body[0];
  await page.goto(`${base}/console/incidents/${(incident.id as string).split('/').pop()}`);
  await page.getByRole('heading', { level: 2 }).first().waitFor();
  assert.equal(await page.getByRole('button', { name: changers }).count(), 0, 'incidents: no workflow');

  for (const p of ['casebooks', 'modules', 'feeds', 'doctor']) {
    await page.goto(`${base}/console/${p}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.waitForLoadState('networkidle');
    assert.equal(await page.getByRole('button', { name: changers }).count(), 0, `${p}: nothing to change`);
  }
  // Admin-only pages are not offered.
  for (const name of ['Users', 'API clients']) assert.equal(await page.getByRole('navigation').getByRole('link', { name }).count(), 0);

  // And the server refuses what the page does not offer, even with the session's CSRF token.
  const status = await page.evaluate(async (id) => {
    const s = await (await fetch('/console/api/session')).json() as { csrf_token: string };
    const r = await fetch(`/ctia/incident/${id}/status`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrf_token }, body: JSON.stringify({ status: 'Closed' }) });
    return r.status;
  }, (incident.id as string).split('/').pop() as string);
  assert.equal(status, 403);
  await context.close();
});
