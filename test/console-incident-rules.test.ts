// The console's Incident rules page in Debian's Chromium against a real exchange: the org's
// promotion rules in their order; an admin adds a rule and an event it matches opens an
// incident, edits it, switches a default rule off, deletes one, and sees the server's refusal
// of a rule beside the form; an analyst and a read-only user read the rules with no control.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestExchange, cleanup, enrollDevice, DeviceSocket, intrusion, type TestExchange } from './helpers/exchange.js';
import { incidentEngineOf } from '../src/response/incidents/part.js';

let t: TestExchange;
let browser: Browser;
let socket: DeviceSocket;
let adminPassword: string;
const csp: string[] = [];

const rules = async () => (await t.api('/api/v1/incident-rules')).body.data as Array<{ id: string; name: string; enabled: boolean; match: any; group_window_seconds: number; severity: string }>;
const rule = async (name: string) => (await rules()).find((r) => r.name === name);

before(async () => {
  t = await startTestExchange();
  adminPassword = t.ex.bootstrap.user.generatedPassword as string;
  socket = await DeviceSocket.connect(await enrollDevice(t, 'sensor-rules'));
  await socket.hello();
  for (const [username, role] of [['analyst1', 'analyst'], ['reader1', 'read-only']]) {
    const made = await t.api('/console/api/users', { method: 'POST', body: { username, password: `${username}-password`, role } });
    assert.equal(made.status, 201, made.text);
  }
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  socket?.close();
  await browser?.close();
  await t.close();
  cleanup(t.dataDir);
});

async function signedIn(username: string, password: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) csp.push(m.text()); });
  await page.goto(`${t.url}/console/incidents`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Incident rules', exact: true }).click();
  await page.getByRole('heading', { name: 'Incident rules', level: 1 }).waitFor();
  return { context, page };
}

const rows = (page: Page) => page.locator('table.rules-table tbody tr');

test('admin: the default rules in order; add a rule an event then meets; edit, switch off, delete', async () => {
  const { context, page } = await signedIn('admin', adminPassword);
  assert.equal(new URL(page.url()).pathname, '/console/incident-rules');
  await rows(page).nth(2).waitFor();
  assert.deepEqual(await rows(page).locator('th').allInnerTexts(), (await rules()).map((r) => r.name));
  const p1 = page.getByRole('row', { name: /Priority 1 intrusion/ });
  await p1.getByRole('list', { name: 'Conditions of Priority 1 intrusion' }).getByText('signature priority 1', { exact: true }).waitFor();
  await p1.getByText('intrusion events only').waitFor();
  await p1.getByText('1 h').waitFor();
  await page.getByRole('row', { name: /Threat-intel feed match/ }).getByText('a feed lists it as Malicious').waitFor();

  // A new rule: SID 2024888 at any priority, Medium, grouped over ten minutes.
  await page.getByRole('button', { name: 'Add rule' }).click();
  let form = page.getByRole('form', { name: 'Add a rule' });
  await form.getByLabel('Name', { exact: true }).fill('Watch SID 2024888');
  await form.getByLabel('Incident severity').selectOption('Medium');
  await form.getByLabel('Signature IDs (SIDs)').fill('2024888, 2024889');
  await form.getByLabel('Grouping window (seconds)').fill('600');
  await form.getByRole('button', { name: 'Add rule' }).click();
  await form.waitFor({ state: 'detached' });
  const row = page.getByRole('row', { name: /Watch SID 2024888/ });
  await row.getByText('SID 2024888, 2024889').waitFor();
  await row.getByText('10 min').waitFor();
  assert.equal(await row.locator('td').first().innerText(), '4');
  const made = await rule('Watch SID 2024888');
  assert.deepEqual([made?.match, made?.severity, made?.group_window_seconds, made?.enabled], [{ sids: [2024888, 2024889] }, 'Medium', 600, true]);

  // The rule takes effect: a priority-3 event of that SID, which no default rule takes, opens an incident.
  const ack = await socket.sendBatch(1, [intrusion({ dst_ip: '192.0.2.88', signature: { gid: 1, sid: 2024888, rev: 1, message: 'watched rule', priority: 3 } })]);
  assert.equal(ack.accepted, 1);
  await incidentEngineOf(t.ex.response.context()).drained();
  const opened = await t.api(`/ctia/incident/search?query=${encodeURIComponent('title:watched')}`);
  assert.equal(opened.body.length, 1, opened.text);
  assert.match(opened.body[0].description, /promotion rule "Watch SID 2024888"/);
  assert.equal(opened.body[0].severity, 'Medium');

  // A rule of event types alone: the server refuses it, and says why beside the form.
  await row.getByRole('button', { name: 'Edit Watch SID 2024888' }).click();
  form = page.getByRole('form', { name: 'Edit Watch SID 2024888' });
  assert.equal(await form.getByLabel('Signature IDs (SIDs)').inputValue(), '2024888, 2024889');
  await form.getByLabel('Signature IDs (SIDs)').fill('');
  await form.getByLabel('file', { exact: true }).check();
  await form.getByRole('button', { name: 'Save' }).click();
  await form.getByRole('alert').getByText(/match: needs priority_max, impact_max, feed_disposition or sids/).waitFor();
  assert.deepEqual((await rule('Watch SID 2024888'))?.match, { sids: [2024888, 2024889] }, 'nothing changed');
  // Fixed: impact 2 or worse, file events, no grouping.
  await form.getByLabel('Impact at most').selectOption('2');
  await form.getByLabel('Grouping window (seconds)').fill('0');
  await form.getByRole('button', { name: 'Save' }).click();
  await form.waitFor({ state: 'detached' });
  await row.getByText('impact 1–2').waitFor();
  await row.getByText('file events only').waitFor();
  await row.getByText('none: each event its own incident').waitFor();
  const edited = await rule('Watch SID 2024888');
  assert.deepEqual([edited?.match, edited?.group_window_seconds], [{ impact_max: 2, types: ['file'] }, 0]);

  // Switch the impact rule off, then delete it.
  const impact = page.getByRole('switch', { name: 'Enabled: Impact 1: the target is vulnerable' });
  await impact.click();
  await page.getByRole('switch', { name: 'Enabled: Impact 1: the target is vulnerable', checked: false }).waitFor();
  assert.equal((await rule('Impact 1: the target is vulnerable'))?.enabled, false);
  await page.getByRole('button', { name: 'Delete Impact 1: the target is vulnerable' }).click();
  await page.getByRole('button', { name: 'Yes, delete Impact 1: the target is vulnerable' }).click();
  await page.getByRole('row', { name: /Impact 1: the target/ }).waitFor({ state: 'detached' });
  assert.equal(await rule('Impact 1: the target is vulnerable'), undefined);
  assert.equal(await rows(page).count(), 3);
  assert.deepEqual(csp, []);
  await context.close();
});

test('an analyst and a read-only user read the rules, with no control that changes them', async () => {
  for (const username of ['analyst1', 'reader1']) {
    const { context, page } = await signedIn(username, `${username}-password`);
    await page.getByRole('row', { name: /Priority 1 intrusion/ }).waitFor();
    await page.getByText('changing them takes the admin role').waitFor();
    assert.equal(await rows(page).count(), (await rules()).length);
    assert.equal(await page.getByRole('main').getByRole('button').count(), 0, `${username}: no buttons`);
    assert.equal(await page.getByRole('switch').count(), 0);
    assert.equal(await page.getByRole('columnheader', { name: 'Actions' }).count(), 0);
    await page.getByRole('row', { name: /Priority 1 intrusion/ }).getByText('on', { exact: true }).waitFor();
    await context.close();
  }
  // The server refuses a change from these roles anyway.
  assert.equal((await t.api('/api/v1/incident-rules', { method: 'POST', body: { name: 'x', match: { priority_max: 1 } }, token: await analystToken() })).status, 403);
});

async function analystToken(): Promise<string> {
  const c = await t.api('/api/v1/clients', { method: 'POST', body: { name: 'analyst client', role: 'analyst' } });
  assert.equal(c.status, 201, c.text);
  return t.token(c.body.client_id, c.body.client_secret);
}
