// The console's Investigate page in Debian's Chromium against a real exchange: real stored
// events (the exchange-sightings module finds them), relay modules that judge, fail or stall,
// the streamed investigation behind the page's progress, a block action acked by a connected
// device, a casebook and an incident made from the page, the query in the address, a narrow
// window, and a read-only user without the response controls.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestExchange, cleanup, enrollDevice, DeviceSocket, intrusion, type TestExchange } from './helpers/exchange.js';
import { startRelay, type RelayServer } from './helpers/relay-server.js';
import type { ControlFrame } from '../src/protocol/frames.js';

const IP = '198.51.100.44';
const DOMAIN = 'inv.example.org';
const PASTED = `Proxy log: host 10.4.4.4 talked to 198.51.100[.]44 and looked up hxxp://inv[.]example[.]org/beacon`;

let t: TestExchange;
let browser: Browser;
let socket: DeviceSocket;
let adminPassword: string;
const relays: RelayServer[] = [];

async function relayModule(name: string, r: RelayServer): Promise<string> {
  const m = await t.api('/iroh/iroh-int/module_instance', { method: 'POST', body: { kind: 'relay', name, url: r.url, auth: { type: 'none' } } });
  assert.equal(m.status, 201, m.text);
  return m.body.id;
}

async function relay(name: string, behaviour: Parameters<typeof startRelay>[1]): Promise<{ r: RelayServer; id: string }> {
  const r = await startRelay(name, behaviour);
  relays.push(r);
  return { r, id: await relayModule(name, r) };
}

before(async () => {
  t = await startTestExchange();
  adminPassword = t.ex.bootstrap.user.generatedPassword as string;
  const dev = await enrollDevice(t, 'sensor-inv');
  socket = await DeviceSocket.connect(dev);
  await socket.hello();
  const ack = await socket.sendBatch(1, [intrusion({ src_ip: '10.4.4.4', dst_ip: IP, observables: { domain: [DOMAIN] } }), intrusion({ src_ip: '10.4.4.4', dst_ip: IP, observables: { domain: [DOMAIN] } })]);
  assert.equal(ack.accepted, 2, JSON.stringify(ack));
  await relay('intel', { disposition: 2 });
  await relay('broken', { fail: true });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  socket?.close();
  await browser?.close();
  for (const r of relays) await r.close();
  await t.close();
  cleanup(t.dataDir);
});

/** POST /api/v1/investigate streamed: lines handed over as they come; resolves at the end. */
async function streamInvestigation(content: string, onLine: (l: any) => void): Promise<{ status: number; type: string | undefined }> {
  const token = await t.token();
  return new Promise((resolve, reject) => {
    const req = request(`${t.url}/api/v1/investigate`, {
      method: 'POST', ca: t.ca, agent: false,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/x-ndjson' },
    }, (res) => {
      let rest = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        rest += c;
        const lines = rest.split('\n');
        rest = lines.pop()!;
        for (const l of lines) if (l) onLine(JSON.parse(l));
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ content }));
  });
}

test('the streamed investigation: every module line as it is done, a stalled module last, then the same answer as JSON', async () => {
  const stall = await relay('stall', { hang: true });
  const lines: any[] = [];
  let released = false;
  const done = streamInvestigation(PASTED, (l) => {
    lines.push(l);
    const start = lines[0];
    // Once every other module has settled every verb, the stalled one is the only one left:
    // its backend goes away now, which settles it with an error.
    const others = start.modules.filter((m: any) => m.module !== 'stall').reduce((n: number, m: any) => n + m.verbs.length, 0);
    if (!released && lines.filter((x) => x.type === 'module' && x.module !== 'stall').length === others) {
      released = true;
      assert.ok(!lines.some((x) => x.type === 'result' || x.module === 'stall'), 'nothing from the stalled module, and no result, before it is done');
      void stall.r.close();
    }
  });
  const { status, type } = await done;
  assert.equal(status, 200);
  assert.match(type ?? '', /^application\/x-ndjson/);
  assert.ok(released);

  const [start, ...rest] = lines;
  assert.equal(start.type, 'start');
  assert.deepEqual(start.observables.map((o: any) => `${o.type}:${o.value}`).sort(), [`domain:${DOMAIN}`, `ip:10.4.4.4`, `ip:${IP}`, `url:http://${DOMAIN}/beacon`].sort());
  const names = start.modules.map((m: any) => m.module);
  for (const n of ['Exchange sightings', 'intel', 'broken', 'stall']) assert.ok(names.includes(n), `${n} in ${names}`);
  assert.deepEqual(start.modules.find((m: any) => m.module === 'intel').verbs, ['observe', 'deliberate', 'refer']);

  const result = rest.at(-1);
  assert.equal(result.type, 'result');
  const moduleLines = rest.slice(0, -1);
  assert.ok(moduleLines.every((l: any) => l.type === 'module'));
  assert.equal(moduleLines.length, start.modules.reduce((n: number, m: any) => n + m.verbs.length, 0), 'one line per module and verb');
  const broken = moduleLines.filter((l: any) => l.module === 'broken');
  assert.ok(broken.every((l: any) => /broken cannot reach its backend/.test(l.errors[0].message)), JSON.stringify(broken));
  assert.ok(moduleLines.filter((l: any) => l.module === 'stall').every((l: any) => l.errors.length === 1));
  const sightings = moduleLines.find((l: any) => l.module === 'Exchange sightings' && l.verb === 'observe');
  assert.ok(sightings.answers[0].sightings.count >= 1);

  // The result line is the JSON answer: same fields, same graph.
  await t.api(`/iroh/iroh-int/module_instance/${stall.id}`, { method: 'DELETE' });
  const json = await t.api('/api/v1/investigate', { method: 'POST', body: { content: PASTED } });
  assert.equal(json.status, 200, json.text);
  assert.deepEqual(Object.keys(result).filter((k) => k !== 'type').sort(), Object.keys(json.body).sort());
  const ids = (g: any) => g.nodes.map((n: any) => n.id).sort();
  assert.deepEqual(ids(result.graph), ids(json.body.graph));
  assert.ok(result.errors.some((e: any) => e.module === 'stall'));
  assert.ok(!json.body.errors.some((e: any) => e.module === 'stall'));
});

async function signedIn(username: string, password: string, width = 1280): Promise<{ context: BrowserContext; page: Page; csp: string[] }> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width, height: 800 } });
  const page = await context.newPage();
  const csp: string[] = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) csp.push(m.text()); });
  await page.goto(`${t.url}/console/investigate`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Investigate', level: 1 }).waitFor();
  return { context, page, csp };
}

const moduleState = (page: Page, name: string, state: string) => page.locator(`[aria-label="Module progress"] li[data-module="${name}"][data-state="${state}"]`);

test('admin: paste text, watch modules answer, read the graph and tables, block, casebook, incident', async () => {
  const slow = await relay('slow', { hang: true });
  const { context, page, csp } = await signedIn('admin', adminPassword);

  await page.getByLabel('Text to investigate').fill(PASTED);
  await page.getByRole('button', { name: 'Investigate' }).click();
  assert.equal(new URL(page.url()).searchParams.get('q'), PASTED);

  // The observables, defanged in the text, found at once.
  const found = page.getByRole('list', { name: 'Observables found' });
  await found.getByText(IP, { exact: true }).waitFor();
  await found.getByText(DOMAIN, { exact: true }).waitFor();
  await found.getByText(`http://${DOMAIN}/beacon`, { exact: true }).waitFor();

  // Progress: the stalled module answering while the others are done or failed with their error.
  await moduleState(page, 'slow', 'answering').getByText('answering…').waitFor();
  await moduleState(page, 'Exchange sightings', 'done').waitFor();
  await moduleState(page, 'broken', 'failed').getByText(/broken cannot reach its backend/).first().waitFor();
  await page.getByRole('status').filter({ hasText: /modules answered/ }).first().waitFor();
  assert.equal(await page.getByRole('heading', { name: 'Graph' }).count(), 0, 'no graph until every module is done');
  await slow.r.close();
  await moduleState(page, 'slow', 'failed').waitFor();
  await page.getByRole('status').filter({ hasText: /^All \d+ modules answered$/ }).waitFor();

  // The graph: its nodes listed, by kind; the malicious verdict marked.
  await page.getByRole('heading', { name: 'Graph' }).waitFor();
  await page.locator('.inv-graph-canvas canvas').first().waitFor();
  const nodes = page.locator('[aria-label="Graph nodes"] li');
  const kinds = new Set(await nodes.evaluateAll((els) => els.map((e) => e.getAttribute('data-node-kind'))));
  for (const k of ['observable', 'target', 'sighting', 'verdict']) assert.ok(kinds.has(k), `a ${k} node`);
  assert.equal(await page.locator(`[data-node-id="observable:ip:${IP}"][data-malicious]`).count(), 1);

  // Tables: the verdict, the sightings per module with their links, refer links in a new tab.
  const row = page.locator(`table.inv-observables tr[data-observable="ip:${IP}"]`);
  await row.getByRole('cell', { name: 'Malicious' }).waitFor();
  const sighting = page.locator('table.inv-sightings tr[data-module="Exchange sightings"]').first();
  await sighting.waitFor();
  assert.match(await sighting.getByRole('link').getAttribute('href') ?? '', /\/console\/events\//);
  await page.locator('table.inv-sightings tr[data-module="intel"]').first().waitFor();
  const refer = page.getByRole('link', { name: `intel on ${IP}` });
  assert.equal(await refer.getAttribute('target'), '_blank');
  assert.match(await refer.getAttribute('rel') ?? '', /noopener/);

  // Picking a node (from the list, by keyboard) selects its table row and shows its detail.
  await page.getByText(/^Graph nodes/).click();
  await page.locator('[data-node-kind="sighting"] button').first().focus();
  await page.keyboard.press('Enter');
  await page.locator('table.inv-sightings tr[data-selected="true"]').waitFor();
  await page.getByRole('definition').filter({ hasText: 'sighting' }).first().waitFor();
  await page.locator(`[data-node-id="observable:ip:${IP}"] button`).click();
  await row.and(page.locator('[data-selected="true"]')).waitFor();
  assert.equal(await page.locator('table.inv-sightings tr[data-selected="true"]').count(), 0);

  // Block the address on the sensors: sent, then acknowledged once the device acks.
  await row.getByRole('button', { name: new RegExp(`^Block on sensors ${IP.replace(/\./g, '\\.')}`) }).click();
  const control = await socket.waitFor<ControlFrame>((f) => f.type === 'control' && (f as ControlFrame).action === 'block');
  assert.deepEqual([control.params.observable_type, control.params.observable_value], ['ip', IP]);
  const delivery = row.getByRole('status', { name: `Block on sensors ${IP}: delivery` });
  await delivery.getByText('sensor-inv: sent, not yet acknowledged').waitFor();
  socket.ws.send(JSON.stringify({ type: 'control_ack', id: control.id, status: 'ok' }));
  await delivery.getByText('sensor-inv: acknowledged').waitFor();

  // Add two of the observables to a new casebook.
  await page.getByLabel(`Select 10.4.4.4`).uncheck();
  await page.getByLabel(`Select http://${DOMAIN}/beacon`).uncheck();
  assert.equal(await page.getByLabel('Casebook', { exact: true }).inputValue(), '');
  await page.getByLabel('New casebook title').fill('Beacon to inv.example.org');
  await page.getByRole('button', { name: 'Add 2 to casebook' }).click();
  const created = page.getByRole('status').filter({ hasText: 'Created casebook “Beacon to inv.example.org” with 2 observables' });
  await created.waitFor();
  const books = await t.api('/ctia/casebook/search?query=*');
  const book = books.body.find((b: any) => b.title === 'Beacon to inv.example.org');
  const bookHref = `/console/casebooks/${book.id.split('/').pop()}`;
  assert.equal(await created.getByRole('link', { name: 'Beacon to inv.example.org' }).getAttribute('href'), bookHref);
  assert.deepEqual(book.observables.map((o: any) => `${o.type}:${o.value}`).sort(), [`domain:${DOMAIN}`, `ip:${IP}`]);
  // Then add one more to that same casebook, picked from the list.
  await page.getByLabel(`Select 10.4.4.4`).check();
  await page.getByLabel('Casebook', { exact: true }).selectOption({ label: 'Beacon to inv.example.org' });
  await page.getByRole('button', { name: 'Add 3 to casebook' }).click();
  const added = page.getByRole('status').filter({ hasText: 'Added 3 observables to casebook “Beacon to inv.example.org”' });
  await added.waitFor();
  assert.equal(await added.getByRole('link', { name: 'Beacon to inv.example.org' }).getAttribute('href'), bookHref);
  const again = await t.api(`/ctia/casebook/${book.id.split('/').pop()}`);
  assert.equal(again.body.observables.length, 3);

  // Promote to an incident, titled after the observables, linked to the Incidents page. It
  // holds the three picked observables, and the two events of the sensor that name them.
  await page.getByRole('button', { name: 'Promote to incident' }).click();
  const link = page.getByRole('status').getByRole('link', { name: /^Investigation: / });
  await link.waitFor();
  await page.getByRole('status').filter({ hasText: /with 2 of your events$/ }).waitFor();
  const href = await link.getAttribute('href');
  assert.match(href ?? '', /^\/console\/incidents\/incident-/);
  const incident = await t.api(`/ctia/incident/${href!.split('/').pop()}`);
  assert.equal(incident.status, 200, incident.text);
  assert.match(incident.body.title, new RegExp(IP.replace(/\./g, '\\.')));
  assert.match(incident.body.title, /inv\.example\.org/);
  assert.equal(incident.body.status, 'New');
  assert.equal(incident.body.severity, 'High', 'a malicious verdict among them');
  const picked = ['10.4.4.4', DOMAIN, IP].sort();
  const held = (await t.api(`/ctia/incident/${href!.split('/').pop()}/sightings`)).body as any[];
  const promoted = held.find((x) => x.title === 'Observables promoted from Investigate');
  assert.deepEqual(promoted?.observables.map((o: any) => o.value).sort(), picked, JSON.stringify(held));
  assert.deepEqual(held.filter((x) => x !== promoted).map((x) => x.count), [2], 'the sensor\'s two events as one sighting');

  // The incident links back to Investigate for them.
  await link.click();
  const detail = page.getByRole('region', { name: /^Investigation: / });
  await detail.getByRole('heading', { name: 'Sightings (2, 2 events)' }).waitFor();
  const backLink = detail.locator('li.sighting', { hasText: 'Observables promoted from Investigate' }).getByRole('link', { name: 'Investigate them again' });
  const back = new URL(await backLink.getAttribute('href') as string, t.url);
  assert.equal(back.pathname, '/console/investigate');
  assert.deepEqual(back.searchParams.get('q')?.split(' ').sort(), picked);
  await backLink.click();
  await page.getByRole('heading', { name: 'Investigate', level: 1 }).waitFor();
  await page.locator(`table.inv-observables tr[data-observable="ip:${IP}"]`).waitFor();

  await t.api(`/iroh/iroh-int/module_instance/${slow.id}`, { method: 'DELETE' });
  assert.deepEqual(csp, []);
  await context.close();
});

test('the casebook Investigate made or added to is named with a link to it', async () => {
  const { context, page } = await signedIn('admin', adminPassword);
  await page.goto(`${t.url}/console/investigate?${new URLSearchParams({ q: DOMAIN })}`);
  await page.getByLabel('New casebook title').fill('Linked casebook');
  await page.getByRole('button', { name: 'Add 1 to casebook' }).click();
  await page.getByRole('status').filter({ hasText: 'Created casebook “Linked casebook” with 1 observable' }).getByRole('link', { name: 'Linked casebook' }).click();
  await page.getByRole('heading', { name: 'Casebooks', level: 1 }).waitFor();
  await page.getByRole('region', { name: 'Linked casebook' }).getByRole('link', { name: `Investigate domain ${DOMAIN}` }).waitFor();
  assert.match(new URL(page.url()).pathname, /^\/console\/casebooks\/casebook-/);
  await context.close();
});

test('a module that cannot list its response actions says so, beside the actions the others offer', async () => {
  const { context, page } = await signedIn('admin', adminPassword);
  await page.goto(`${t.url}/console/investigate?${new URLSearchParams({ q: IP })}`);
  const row = page.locator(`table.inv-observables tr[data-observable="ip:${IP}"]`);
  await row.getByRole('button', { name: new RegExp(`^Block on sensors ${IP.replace(/\./g, '\\.')}`) }).waitFor();
  await row.getByRole('button', { name: `Isolate via intel ${IP} (intel)` }).waitFor();
  const missing = page.getByRole('alert', { name: 'Response actions not offered' });
  await missing.getByRole('listitem').filter({ hasText: /^broken: .*broken cannot reach its backend/ }).waitFor();
  assert.equal(await missing.getByRole('listitem').count(), 1, 'only the module that failed');
  await context.close();
});

test('an analyst judges an observable: stored under their name, the verdict turns', async () => {
  const { context, page } = await signedIn('admin', adminPassword);
  await page.goto(`${t.url}/console/investigate?${new URLSearchParams({ q: '10.4.4.4' })}`);
  const row = page.locator('table.inv-observables tr[data-observable="ip:10.4.4.4"]');
  const verdict = row.locator('td').nth(1).locator('span').first();
  await verdict.filter({ hasText: /^Malicious$/ }).waitFor();
  await row.getByRole('button', { name: 'Judge 10.4.4.4' }).click();
  await row.getByLabel('Judgement of 10.4.4.4').selectOption('Clean');
  await row.getByRole('button', { name: 'Save judgement' }).click();
  await verdict.filter({ hasText: /^Clean$/ }).waitFor();
  const judged = page.locator('table.inv-judgements tr', { hasText: '10.4.4.4' });
  await judged.getByText(/^user:admin/).waitFor();
  const stored = await t.api('/ctia/ip/10.4.4.4/judgements');
  assert.equal(stored.status, 200, stored.text);
  assert.deepEqual(stored.body.map((j: any) => [j.disposition_name, j.source]), [['Clean', 'user:admin']]);
  await context.close();
});

test('the address runs the query on load; a narrow window puts the graph above the tables', async () => {
  const { context, page, csp } = await signedIn('admin', adminPassword, 420);
  await page.goto(`${t.url}/console/investigate?${new URLSearchParams({ q: `look at ${DOMAIN.replace(/\./g, '[.]')}` })}`);
  assert.equal(await page.getByLabel('Text to investigate').inputValue(), 'look at inv[.]example[.]org');
  await page.locator(`table.inv-observables tr[data-observable="domain:${DOMAIN}"]`).waitFor();
  await page.locator('.inv-graph-canvas canvas').first().waitFor();
  const graph = await page.getByRole('heading', { name: 'Graph' }).boundingBox();
  const tables = await page.getByRole('heading', { name: 'Observables', exact: true }).boundingBox();
  assert.ok(graph && tables && graph.y < tables.y, 'graph above the tables');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'no page-wide horizontal scroll');
  assert.deepEqual(csp, []);
  await context.close();
});

test('read-only: the investigation, without response actions, casebook or incident controls', async () => {
  const made = await t.api('/console/api/users', { method: 'POST', body: { username: 'viewer', password: 'viewer-password-1', role: 'read-only' } });
  assert.equal(made.status, 201, made.text);
  const { context, page } = await signedIn('viewer', 'viewer-password-1');
  await page.goto(`${t.url}/console/investigate?${new URLSearchParams({ q: PASTED })}`);
  await page.locator(`table.inv-observables tr[data-observable="ip:${IP}"]`).getByRole('cell', { name: 'Malicious' }).waitFor();
  await page.getByRole('status').filter({ hasText: /^All \d+ modules answered$/ }).waitFor();
  assert.equal(await page.getByRole('button', { name: /Block|Unblock|Judge/ }).count(), 0);
  assert.equal(await page.getByRole('columnheader', { name: 'Response' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: /casebook|Promote/ }).count(), 0);
  await context.close();
});
