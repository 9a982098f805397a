// The console's Incidents and Casebooks pages in Debian's Chromium against a real exchange.
// Incidents come the real way: events from an enrolled device that the default "Priority 1"
// rule promotes, and an analyst's promotion by hand. The browser filters the list, opens one,
// follows its sightings to their events, moves it New → Open → Closed, adds a note and assigns
// it; builds a casebook from pasted defanged text; and a read-only user sees no change controls
// while the server refuses the changes anyway.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestExchange, cleanup, enrollDevice, DeviceSocket, intrusion, type TestExchange } from './helpers/exchange.js';
import { incidentEngineOf } from '../src/response/incidents/part.js';
import type { NormalizedEvent } from '../src/events/event.js';

let t: TestExchange;
let browser: Browser;
let socket: DeviceSocket;
let seq = 0;
let adminPassword: string;
const csp: string[] = [];

const BEACON = 'ET MALWARE test beacon';
const LOOKUP = 'ET POLICY other lookup';
const PROMOTED = 'Promoted by hand';

async function send(events: NormalizedEvent[]): Promise<void> {
  const ack = await socket.sendBatch(++seq, events);
  assert.equal(ack.accepted, events.length, JSON.stringify(ack));
  await incidentEngineOf(t.ex.response.context()).drained();
}

/** The one incident whose title has this word, as the API holds it now. */
async function incident(word: string): Promise<any> {
  const r = await t.api(`/ctia/incident/search?query=${encodeURIComponent(`title:${word}`)}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.length, 1, `one incident titled …${word}…`);
  return r.body[0];
}
const shortId = (id: string) => id.slice(id.lastIndexOf('/') + 1);

before(async () => {
  t = await startTestExchange();
  adminPassword = t.ex.bootstrap.user.generatedPassword as string;
  socket = await DeviceSocket.connect(await enrollDevice(t, 'sensor-incidents'));
  await socket.hello();
  // Priority-1 events: the default rule opens one incident per (source, destination, signature).
  await send([intrusion(), intrusion(), intrusion()]);
  await send([intrusion({ dst_ip: '198.51.100.9', observables: { domain: ['other.example.org'] }, signature: { gid: 1, sid: 2024777, rev: 1, message: LOOKUP, priority: 1 } })]);
  // A quiet event no rule takes, promoted by hand (Medium, assigned to the promoting client).
  await send([intrusion({ dst_ip: '192.0.2.77', observables: {}, signature: { gid: 1, sid: 9, rev: 1, message: 'quiet rule', priority: 3 } })]);
  const quiet = (await t.api('/api/v1/events?observable=192.0.2.77')).body.data[0];
  const promoted = await t.api('/api/v1/incidents/promote', { method: 'POST', body: { event_id: quiet.id, title: PROMOTED } });
  assert.equal(promoted.status, 201, promoted.text);

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

async function signedIn(username: string, password: string, path: string, width = 1280): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width, height: 800 } });
  const page = await context.newPage();
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) csp.push(m.text()); });
  await page.goto(`${t.url}${path}`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1 }).waitFor();
  return { context, page };
}

const rows = (page: Page) => page.locator('table.incidents-table tbody tr');
async function rowCount(page: Page, n: number): Promise<void> {
  await page.waitForFunction((want) => document.querySelectorAll('table.incidents-table tbody tr').length === want, n);
}
const stage = (page: Page, name: string) => page.getByRole('group', { name: 'Incidents by status' }).getByRole('button', { name: new RegExp(`^${name} `) });

/** Every form control has a name a screen reader announces. */
async function unlabelled(page: Page): Promise<string[]> {
  return page.evaluate(() => Array.from(document.querySelectorAll('main input, main select, main textarea, main button'))
    .filter((el) => {
      const named = el.getAttribute('aria-label') || (el as HTMLInputElement).labels?.length || (el.tagName === 'BUTTON' && el.textContent?.trim());
      return !named;
    })
    .map((el) => el.outerHTML.slice(0, 120)));
}

test('incidents: newest first with counts; filters narrow the list and live in the address', async () => {
  const { context, page } = await signedIn('admin', adminPassword, '/console/incidents');
  await rowCount(page, 3);
  await page.getByRole('status').filter({ hasText: '1–3 of 3 incidents' }).waitFor();
  assert.match(await rows(page).first().innerText(), new RegExp(PROMOTED), 'the newest opened comes first');
  await stage(page, 'New').filter({ hasText: /New 3/ }).waitFor();
  await stage(page, 'Closed').filter({ hasText: /Closed 0/ }).waitFor();
  for (const label of ['Status', 'Severity', 'Assignee', 'Text']) await page.getByLabel(label, { exact: true }).waitFor();

  await page.getByLabel('Severity', { exact: true }).selectOption('Medium');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await rowCount(page, 1);
  assert.match(await rows(page).first().innerText(), new RegExp(PROMOTED));
  assert.equal(new URL(page.url()).searchParams.get('severity'), 'Medium');

  await page.getByRole('button', { name: 'Clear' }).click();
  await rowCount(page, 3);
  assert.equal(new URL(page.url()).search, '');
  await page.getByLabel('Text').fill('beacon');
  await page.getByLabel('Text').press('Enter');
  await rowCount(page, 1);
  assert.match(await rows(page).first().innerText(), new RegExp(BEACON));
  assert.equal(new URL(page.url()).searchParams.get('q'), 'beacon');

  await page.getByRole('button', { name: 'Clear' }).click();
  await page.getByLabel('Assignee').fill('client-test-admin');
  await page.getByLabel('Assignee').press('Enter');
  await rowCount(page, 1);
  assert.match(await rows(page).first().innerText(), /client-test-admin/);

  // An address another page links to, with the filters in it.
  await page.goto(`${t.url}/console/incidents?status=New&q=lookup`);
  await rowCount(page, 1);
  assert.match(await rows(page).first().innerText(), new RegExp(LOOKUP));
  assert.equal(await page.getByLabel('Status', { exact: true }).inputValue(), 'New');
  await stage(page, 'New').click(); // a stage takes the place of the exact status
  await rowCount(page, 1);
  assert.equal(new URL(page.url()).searchParams.get('status'), null);
  await stage(page, 'Open').click();
  await page.getByText('No incidents match.').waitFor();
  assert.equal(await rows(page).count(), 0);
  assert.deepEqual(await unlabelled(page), []);
  await context.close();
});

test('an incident: its sightings and events, and the status workflow New → Open → Closed', async () => {
  const inc = await incident('beacon');
  const id = shortId(inc.id);
  const { context, page } = await signedIn('admin', adminPassword, '/console/incidents');
  await rowCount(page, 3);
  await page.getByRole('button', { name: new RegExp(BEACON) }).click();
  const detail = page.getByRole('region', { name: new RegExp(BEACON) });
  await detail.getByRole('heading', { level: 2, name: new RegExp(BEACON) }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/console/incidents/${id}`);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'incident-detail-title', 'focus moves to the detail');
  const facts = await detail.locator('dl.facts').first().innerText();
  assert.match(facts, /Severity\s+High/);
  assert.match(facts, /Confidence\s+High/);

  // The sighting: three events, first and last seen, observables, and links to the events.
  await detail.getByRole('heading', { name: 'Sightings (1, 3 events)' }).waitFor();
  assert.equal(await detail.locator('.sighting-count').innerText(), '3');
  await detail.getByText('First seen').waitFor();
  await detail.getByText('domain: evil.example.com').waitFor();
  const investigate = new URL(await detail.getByRole('link', { name: 'Investigate these observables' }).getAttribute('href') as string, t.url);
  assert.equal(investigate.pathname, '/console/investigate');
  assert.deepEqual(investigate.searchParams.get('q')?.split(' ').sort(), ['10.0.0.5', '203.0.113.7', 'evil.example.com']);
  assert.equal(await detail.getByRole('link', { name: 'Events with evil.example.com' }).getAttribute('href'), '/console/events?observable=evil.example.com');
  const eventLink = detail.getByRole('link', { name: 'Latest event of this sighting' });
  const eventPath = await eventLink.getAttribute('href') as string;
  assert.match(eventPath, /^\/console\/events\/ev-/);
  await eventLink.click();
  await page.getByRole('heading', { name: `Event ${decodeURIComponent(eventPath.split('/').pop() as string)}` }).waitFor();
  await page.getByRole('link', { name: 'domain: evil.example.com' }).waitFor();
  await page.goBack();
  await detail.getByRole('heading', { level: 2, name: new RegExp(BEACON) }).waitFor();

  // New → Open: shown at once and stored; opened keeps the first opening.
  const status = detail.locator('.current-status');
  assert.equal(await status.innerText(), 'New');
  await detail.getByRole('button', { name: 'Open', exact: true }).click();
  await status.filter({ hasText: /^Open$/ }).waitFor();
  let now = (await t.api(`/ctia/incident/${id}`)).body;
  assert.equal(now.status, 'Open');
  assert.equal(now.incident_time.opened, inc.incident_time.opened);
  assert.equal(now.owner, 'user:admin');
  await rows(page).filter({ hasText: BEACON }).getByText('Open', { exact: true }).waitFor();

  // Open → Closed: closed is stamped and shown.
  await detail.getByRole('button', { name: 'Close', exact: true }).click();
  await status.filter({ hasText: /^Closed$/ }).waitFor();
  now = (await t.api(`/ctia/incident/${id}`)).body;
  assert.equal(now.status, 'Closed');
  assert.ok(now.incident_time.closed, 'incident_time.closed is stamped');
  await detail.locator('dt', { hasText: /^Closed$/ }).waitFor();
  await stage(page, 'Closed').filter({ hasText: /Closed 1/ }).waitFor();

  // The other CTIM statuses from the select; Closed offers Reopen.
  await detail.getByRole('button', { name: 'Reopen' }).waitFor();
  await detail.getByLabel('Other status').selectOption('Open: Investigating');
  await detail.getByRole('button', { name: 'Set status' }).click();
  await status.filter({ hasText: 'Open: Investigating' }).waitFor();
  assert.equal((await t.api(`/ctia/incident/${id}`)).body.status, 'Open: Investigating');

  // Keyboard: Close detail, focus returns to its row; Enter opens it again.
  await detail.getByRole('button', { name: 'Close detail' }).click();
  await detail.waitFor({ state: 'detached' });
  const rowButton = page.locator(`[data-incident-id="${id}"]`);
  await page.waitForFunction((sel) => document.activeElement === document.querySelector(sel), `[data-incident-id="${id}"]`);
  await rowButton.press('Enter');
  await detail.waitFor();
  assert.equal(new URL(page.url()).pathname, `/console/incidents/${id}`);
  assert.deepEqual(await unlabelled(page), []);
  await context.close();
});

test('an incident: notes with author and time, and its assignees', async () => {
  const inc = await incident('lookup');
  const id = shortId(inc.id);
  const { context, page } = await signedIn('admin', adminPassword, `/console/incidents/${id}`);
  const detail = page.getByRole('region', { name: new RegExp(LOOKUP) });
  await detail.getByRole('heading', { name: 'Notes (0)' }).waitFor();

  await detail.getByLabel('New note').fill('Checked the proxy logs: one host only.');
  await detail.getByRole('button', { name: 'Add note' }).click();
  await detail.getByRole('heading', { name: 'Notes (1)' }).waitFor();
  const note = detail.locator('.note-list li').first();
  await note.getByText('Checked the proxy logs: one host only.').waitFor();
  await note.getByText('user:admin').waitFor();
  assert.equal(await detail.getByLabel('New note').inputValue(), '');
  const notes = (await t.api(`/ctia/incident/${id}`)).body.notes;
  assert.equal(notes.length, 1);
  assert.equal(notes[0].text, 'Checked the proxy logs: one host only.');
  assert.equal(notes[0].author, 'user:admin');
  assert.ok(await note.locator(`time[datetime="${notes[0].time}"]`).count() === 1, 'the note shows its time');

  await detail.getByText('Nobody is assigned.').waitFor();
  await detail.getByRole('button', { name: 'Assign to me' }).click();
  await detail.getByRole('button', { name: 'Unassign user:admin' }).waitFor();
  assert.deepEqual((await t.api(`/ctia/incident/${id}`)).body.assignees, ['user:admin']);
  assert.equal(await detail.getByRole('button', { name: 'Assign to me' }).count(), 0);

  await detail.getByLabel('Assign to').fill('alice');
  await detail.getByLabel('Assign to').press('Enter');
  await detail.getByRole('button', { name: 'Unassign alice' }).waitFor();
  assert.deepEqual((await t.api(`/ctia/incident/${id}`)).body.assignees, ['user:admin', 'alice']);
  await rows(page).filter({ hasText: LOOKUP }).getByText('user:admin, alice').waitFor();

  await detail.getByRole('button', { name: 'Unassign user:admin' }).click();
  await detail.getByRole('button', { name: 'Assign to me' }).waitFor();
  await detail.getByRole('button', { name: 'Unassign alice' }).click();
  await detail.getByText('Nobody is assigned.').waitFor();
  assert.equal((await t.api(`/ctia/incident/${id}`)).body.assignees, undefined);
  await context.close();
});

test('casebooks: create, add observables from pasted defanged text, remove one, rename, texts, delete', async () => {
  const { context, page } = await signedIn('admin', adminPassword, '/console/casebooks');
  await page.getByText('No casebooks yet.').waitFor();
  await page.getByLabel('Title', { exact: true }).fill('Phishing wave');
  await page.getByRole('button', { name: 'Create casebook' }).click();
  const detail = page.getByRole('region', { name: 'Phishing wave' });
  await detail.getByRole('heading', { level: 2, name: 'Phishing wave' }).waitFor();
  const listed = (await t.api('/ctia/casebook/search')).body;
  assert.equal(listed.length, 1);
  const id = shortId(listed[0].id);
  assert.equal(new URL(page.url()).pathname, `/console/casebooks/${id}`);
  assert.equal(listed[0].owner, 'user:admin');

  await detail.getByLabel('Paste text with observables').fill('Mail from evil[.]example[.]com, callback to 198.51.100[.]23 and hxxp://bad.example[.]net/x.php');
  await detail.getByRole('button', { name: 'Add observables' }).click();
  await detail.getByRole('heading', { name: 'Observables (4)' }).waitFor();
  await detail.getByRole('status').filter({ hasText: 'Found 4, added 4 new.' }).waitFor();
  const stored = (await t.api(`/ctia/casebook/${id}`)).body.observables.map((o: { type: string; value: string }) => `${o.type} ${o.value}`).sort();
  assert.deepEqual(stored, ['domain bad.example.net', 'domain evil.example.com', 'ip 198.51.100.23', 'url http://bad.example.net/x.php']);
  assert.equal(await detail.getByRole('link', { name: 'Investigate domain evil.example.com' }).getAttribute('href'), '/console/investigate?q=evil.example.com');
  await page.getByRole('row', { name: /Phishing wave/ }).getByRole('cell', { name: '4', exact: true }).waitFor();

  await detail.getByRole('button', { name: 'Remove ip 198.51.100.23' }).click();
  await detail.getByRole('heading', { name: 'Observables (3)' }).waitFor();
  assert.deepEqual((await t.api(`/ctia/casebook/${id}`)).body.observables.map((o: { value: string }) => o.value).sort(), ['bad.example.net', 'evil.example.com', 'http://bad.example.net/x.php']);

  await detail.getByLabel('Casebook title').fill('Phishing wave, November');
  await detail.getByLabel('Casebook description').fill('Mails to finance');
  await detail.getByRole('button', { name: 'Save title and description' }).click();
  await detail.getByRole('heading', { level: 2, name: 'Phishing wave, November' }).waitFor();
  let cb = (await t.api(`/ctia/casebook/${id}`)).body;
  assert.equal(cb.title, 'Phishing wave, November');
  assert.equal(cb.description, 'Mails to finance');

  await detail.getByLabel('New text').fill('Reported by the helpdesk at 09:14.');
  await detail.getByRole('button', { name: 'Add text' }).click();
  await detail.getByRole('heading', { name: 'Texts (1)' }).waitFor();
  cb = (await t.api(`/ctia/casebook/${id}`)).body;
  assert.deepEqual(cb.texts, [{ type: 'text', text: 'Reported by the helpdesk at 09:14.' }]);
  await detail.getByRole('button', { name: 'Remove text 1' }).click();
  await detail.getByRole('heading', { name: 'Texts (0)' }).waitFor();
  assert.deepEqual((await t.api(`/ctia/casebook/${id}`)).body.texts, []);
  assert.deepEqual(await unlabelled(page), []);

  await detail.getByRole('button', { name: 'Delete casebook' }).click();
  await detail.getByRole('button', { name: 'Cancel' }).click();
  await detail.getByRole('button', { name: 'Delete casebook' }).click();
  await detail.getByRole('group', { name: 'Confirm deleting Phishing wave, November' }).getByRole('button', { name: 'Delete', exact: true }).click();
  await detail.waitFor({ state: 'detached' });
  await page.getByText('No casebooks yet.').waitFor();
  assert.equal((await t.api(`/ctia/casebook/${id}`)).status, 404);
  assert.equal(new URL(page.url()).pathname, '/console/casebooks');
  await context.close();
});

test('read-only: sees incidents and casebooks with no change controls; the server refuses changes', async () => {
  const made = await t.api('/console/api/users', { method: 'POST', body: { username: 'reader', password: 'reader-password-1', role: 'read-only' } });
  assert.equal(made.status, 201, made.text);
  const inc = await incident('beacon');
  const id = shortId(inc.id);
  const cb = await t.api('/ctia/casebook', { method: 'POST', body: { title: 'Shared case', observables: [{ type: 'domain', value: 'evil.example.com' }], texts: [{ type: 'text', text: 'Read me' }] } });
  assert.equal(cb.status, 201, cb.text);
  const cbId = shortId(cb.body.id);

  const { context, page } = await signedIn('reader', 'reader-password-1', `/console/incidents/${id}`);
  const detail = page.getByRole('region', { name: new RegExp(BEACON) });
  await detail.getByRole('heading', { name: 'Sightings (1, 3 events)' }).waitFor();
  await detail.locator('.current-status', { hasText: inc.status }).waitFor();
  await detail.getByText(/changing them takes the analyst role/).waitFor();
  assert.deepEqual(await detail.getByRole('button').allInnerTexts(), ['Close detail']);
  assert.equal(await detail.getByRole('textbox').count(), 0);
  assert.equal(await detail.getByRole('combobox').count(), 0);

  await page.goto(`${t.url}/console/casebooks/${cbId}`);
  const book = page.getByRole('region', { name: 'Shared case' });
  await book.getByRole('link', { name: 'Investigate domain evil.example.com' }).waitFor();
  await book.getByText('Read me').waitFor();
  assert.deepEqual(await book.getByRole('button').allInnerTexts(), ['Close casebook']);
  assert.equal(await page.getByRole('main').getByRole('textbox').count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Create casebook' }).count(), 0);

  // The same calls the controls would make, with the session's CSRF token: refused for the role.
  const calls: Array<[string, string, unknown]> = [
    ['POST', `/ctia/incident/${id}/status`, { status: 'Closed' }],
    ['POST', `/ctia/incident/${id}/notes`, { text: 'no' }],
    ['PATCH', `/ctia/incident/${id}`, { assignees: ['user:reader'] }],
    ['POST', '/ctia/casebook', { title: 'no' }],
    ['POST', `/ctia/casebook/${cbId}/observables`, { operation: 'remove', observables: [{ type: 'domain', value: 'evil.example.com' }] }],
    ['DELETE', `/ctia/casebook/${cbId}`, undefined],
  ];
  // No named functions in here: the test's transpiler would wrap them in a helper the page lacks.
  const answers = await page.evaluate(async (list) => {
    const { csrf_token } = await (await fetch('/console/api/session')).json();
    const out: number[] = [];
    for (const [method, path, body] of list) {
      const headers: Record<string, string> = { 'x-csrf-token': csrf_token };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      out.push(r.status);
    }
    return out;
  }, calls);
  assert.deepEqual(answers, [403, 403, 403, 403, 403, 403], JSON.stringify(answers));
  const after = (await t.api(`/ctia/incident/${id}`)).body;
  assert.equal(after.status, inc.status);
  assert.deepEqual(after.notes, inc.notes);
  assert.equal((await t.api(`/ctia/casebook/${cbId}`)).body.observables.length, 1);
  await context.close();
});

test('a narrow window (420px) shows both pages without page-wide scrolling; no CSP violations', async () => {
  const inc = await incident('beacon');
  const { context, page } = await signedIn('admin', adminPassword, `/console/incidents/${shortId(inc.id)}`, 420);
  const detail = page.getByRole('region', { name: new RegExp(BEACON) });
  await detail.getByRole('heading', { name: /^Sightings \(1/ }).waitFor();
  await detail.getByRole('button', { name: 'Add note' }).waitFor();
  await rowCount(page, 3);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'incidents: no page-wide horizontal scroll');

  await page.goto(`${t.url}/console/casebooks`);
  await page.getByRole('button', { name: 'Shared case' }).click();
  await page.getByRole('region', { name: 'Shared case' }).getByLabel('Paste text with observables').waitFor();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'casebooks: no page-wide horizontal scroll');
  assert.deepEqual(csp, []);
  await context.close();
});

test('the stage counts and filters hold every status of their stage: "Closed: False Positive" is closed, "Hold" open', async () => {
  const statuses: Array<[string, string]> = [['beacon', 'Hold'], ['lookup', 'Closed: False Positive'], ['hand', 'New: Presented']];
  for (const [word, status] of statuses) {
    const r = await t.api(`/ctia/incident/${shortId((await incident(word)).id)}/status`, { method: 'POST', body: { status } });
    assert.equal(r.status, 200, r.text);
  }
  const { context, page } = await signedIn('admin', adminPassword, '/console/incidents');
  await rowCount(page, 3);
  await stage(page, 'New').filter({ hasText: /New 1/ }).waitFor();
  await stage(page, 'Open').filter({ hasText: /Open 1/ }).waitFor();
  await stage(page, 'Closed').filter({ hasText: /Closed 1/ }).waitFor();

  await stage(page, 'Closed').click();
  await rowCount(page, 1);
  assert.match(await rows(page).first().innerText(), /Closed: False Positive/);
  assert.equal(new URL(page.url()).searchParams.get('stage'), 'Closed');
  assert.equal(await stage(page, 'Closed').getAttribute('aria-pressed'), 'true');
  await stage(page, 'Open').click();
  await rowCount(page, 1);
  assert.match(await rows(page).first().innerText(), new RegExp(BEACON));

  // The address keeps the stage, and the other filters narrow within it.
  await page.reload();
  await rowCount(page, 1);
  assert.equal(await stage(page, 'Open').getAttribute('aria-pressed'), 'true');
  await page.getByLabel('Text').fill('lookup');
  await page.getByLabel('Text').press('Enter');
  await page.getByText('No incidents match.').waitFor();
  await stage(page, 'Closed').click();
  await rowCount(page, 1);
  assert.match(await rows(page).first().innerText(), new RegExp(LOOKUP));
  await context.close();
});
