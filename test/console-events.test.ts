// The console's Events page in Debian's Chromium against a real exchange: the list, filters,
// the unique view, an event's detail at its own address, and new events arriving live.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestExchange, cleanup, enrollDevice, DeviceSocket, intrusion, type TestExchange } from './helpers/exchange.js';

let t: TestExchange;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let socket: DeviceSocket;
let seq = 0;
const cspViolations: string[] = [];

async function send(events: ReturnType<typeof intrusion>[]): Promise<void> {
  const ack = await socket.sendBatch(++seq, events);
  assert.equal(ack.accepted, events.length, JSON.stringify(ack));
}

before(async () => {
  t = await startTestExchange();
  const dev = await enrollDevice(t, 'sensor-events');
  socket = await DeviceSocket.connect(dev);
  await socket.hello();
  // Three of one kind (same source, destination and SID: one unique event counted 3), two of another.
  await send([intrusion(), intrusion(), intrusion()]);
  const other = { dst_ip: '198.51.100.9', observables: { domain: ['other.example.org'] }, signature: { gid: 1, sid: 2024777, rev: 1, message: 'ET POLICY other lookup', classification: 'policy-violation', priority: 2 } };
  await send([intrusion(other), intrusion(other)]);

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
  await page.goto(`${t.url}/console/events`);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(t.ex.bootstrap.user.generatedPassword as string);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Events' }).waitFor();
});
after(async () => {
  socket?.close();
  await browser?.close();
  await t.close();
  cleanup(t.dataDir);
});

const eventRows = () => page.locator('table.events-table tbody tr');

async function rowCount(n: number): Promise<void> {
  await page.waitForFunction((want) => document.querySelectorAll('table.events-table tbody tr').length === want, n);
}

test('the events are listed newest first, with the device name and a histogram', async () => {
  await page.goto(`${t.url}/console/events`);
  await rowCount(5);
  await page.getByRole('row', { name: /ET MALWARE test beacon/ }).first().waitFor();
  assert.match(await eventRows().first().innerText(), /sensor-events/);
  const times = await page.evaluate(() => Array.from(document.querySelectorAll('table.events-table tbody tr td:first-child button')).map((b) => b.textContent));
  assert.equal(times.length, 5);
  await page.getByRole('img', { name: /^5 events in/ }).waitFor();
  assert.ok(await page.locator('svg rect.hist-bar').count() >= 1);
  for (const label of ['Time range', 'Device', 'Type', 'Signature ID', 'Observable', 'Text']) await page.getByLabel(label, { exact: true }).waitFor();
});

test('filtering by observable narrows the list and keeps the filter in the address', async () => {
  await page.goto(`${t.url}/console/events`);
  await rowCount(5);
  await page.getByLabel('Observable').fill('198.51.100.9');
  await page.getByLabel('Observable').press('Enter');
  await rowCount(2);
  assert.equal(new URL(page.url()).searchParams.get('observable'), '198.51.100.9');
  for (const text of await eventRows().allInnerTexts()) assert.match(text, /ET POLICY other lookup/);

  // Opened at the address refer links use, with an observable the sensor reported.
  await page.goto(`${t.url}/console/events?observable=evil.example.com`);
  await rowCount(3);
  assert.equal(await page.getByLabel('Observable').inputValue(), 'evil.example.com');
  await page.getByRole('button', { name: 'Clear' }).click();
  await rowCount(5);
  assert.equal(new URL(page.url()).search, '');

  // Signature ID and free text map to sid and q.
  await page.getByLabel('Signature ID').fill('2024777');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await rowCount(2);
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.getByLabel('Text').fill('beacon');
  await page.getByLabel('Text').press('Enter');
  await rowCount(3);
});

test('the unique view shows counts with first and last seen', async () => {
  await page.goto(`${t.url}/console/events`);
  await rowCount(5);
  await page.getByRole('button', { name: 'Unique events' }).click();
  const beacon = page.locator('table.unique-table tbody tr', { hasText: 'ET MALWARE test beacon' });
  await beacon.waitFor();
  assert.equal(await page.locator('table.unique-table tbody tr').count(), 2);
  assert.equal(await beacon.locator('td.count').innerText(), '3');
  assert.equal(await page.locator('table.unique-table tbody tr', { hasText: 'ET POLICY other lookup' }).locator('td.count').innerText(), '2');
  const headers = await page.locator('table.unique-table thead th').allInnerTexts();
  for (const h of ['Count', 'First seen', 'Last seen']) assert.ok(headers.includes(h), headers.join(','));
  assert.equal(await page.getByRole('button', { name: 'Unique events' }).getAttribute('aria-pressed'), 'true');
});

test('/console/events/{id} opens the event detail with its raw record; the keyboard opens one too', async () => {
  const listed = await t.api('/api/v1/events?observable=198.51.100.9&limit=1');
  const ev = listed.body.data[0];
  await page.goto(`${t.url}/console/events/${ev.id}`);
  await page.getByRole('heading', { name: `Event ${ev.id}` }).waitFor();
  const raw = page.getByLabel('Raw record');
  await raw.filter({ hasText: ev.event_id }).waitFor();
  const record = JSON.parse(await raw.innerText());
  assert.equal(record.id, ev.id);
  assert.equal(record.signature.message, 'ET POLICY other lookup');
  assert.deepEqual(record.observables, { domain: ['other.example.org'] });
  await page.getByRole('link', { name: 'domain: other.example.org' }).waitFor();

  await page.getByRole('button', { name: 'Close detail' }).click();
  await page.getByRole('heading', { name: `Event ${ev.id}` }).waitFor({ state: 'detached' });
  assert.equal(new URL(page.url()).pathname, '/console/events');

  // Keyboard: focus the first row's button, Enter opens its detail.
  await rowCount(5);
  const first = eventRows().first().getByRole('button');
  await first.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: /^Event / }).waitFor();
  assert.match(new URL(page.url()).pathname, /^\/console\/events\/.+/);
  await page.goBack();
  await page.getByRole('heading', { name: /^Event / }).waitFor({ state: 'detached' });

  // With an event open, "Events" in the navigation goes back to the list.
  await page.goto(`${t.url}/console/events/${ev.id}`);
  await page.getByRole('heading', { name: `Event ${ev.id}` }).waitFor();
  await page.getByRole('navigation').getByRole('link', { name: 'Events' }).click();
  await page.getByRole('heading', { name: `Event ${ev.id}` }).waitFor({ state: 'detached' });
  assert.equal(new URL(page.url()).pathname, '/console/events');
});

test('an event leads on to Investigate and, by hand, into an incident; a read-only user cannot promote', async () => {
  const ev = (await t.api('/api/v1/events?observable=198.51.100.9&limit=1')).body.data[0];
  await page.goto(`${t.url}/console/events/${ev.id}`);
  const detail = page.getByRole('region', { name: `Event ${ev.id}` });
  const all = new URL(await detail.getByRole('link', { name: 'Investigate this event' }).getAttribute('href') as string, t.url);
  assert.equal(all.pathname, '/console/investigate');
  assert.deepEqual(all.searchParams.get('q')?.split(' ').sort(), ['10.0.0.5', '198.51.100.9', 'other.example.org']);
  await detail.getByRole('link', { name: 'Investigate other.example.org' }).click();
  await page.getByRole('heading', { name: 'Investigate', level: 1 }).waitFor();
  assert.equal(await page.getByLabel('Text to investigate').inputValue(), 'other.example.org');
  await page.goBack();

  await detail.getByRole('button', { name: 'Promote to incident' }).click();
  const link = detail.getByRole('status').getByRole('link');
  await link.waitFor();
  const href = await link.getAttribute('href') as string;
  assert.match(href, /^\/console\/incidents\/incident-/);
  const sightings = await t.api(`/ctia/incident/${href.split('/').pop()}/sightings`);
  assert.equal(sightings.status, 200, sightings.text);
  assert.equal(sightings.body.length, 1, 'the incident holds the event as its sighting');
  assert.ok(await detail.getByRole('button', { name: 'Promote to incident' }).isDisabled(), 'once is enough');
  await link.click();
  await page.getByRole('region', { name: /ET POLICY other lookup/ }).getByRole('heading', { name: 'Sightings (1, 1 event)' }).waitFor();

  const made = await t.api('/console/api/users', { method: 'POST', body: { username: 'events-reader', password: 'reader-password-1', role: 'read-only' } });
  assert.equal(made.status, 201, made.text);
  const readerContext = await browser.newContext({ ignoreHTTPSErrors: true });
  const reader = await readerContext.newPage();
  await reader.goto(`${t.url}/console/events/${ev.id}`);
  await reader.getByLabel('User name').fill('events-reader');
  await reader.getByLabel('Password').fill('reader-password-1');
  await reader.getByRole('button', { name: 'Sign in' }).click();
  await reader.getByRole('link', { name: 'Investigate this event' }).waitFor();
  assert.equal(await reader.getByRole('button', { name: 'Promote to incident' }).count(), 0);
  await readerContext.close();
});

test('a unique event opens with its latest events and goes, all its events at once, into an incident', async () => {
  await page.goto(`${t.url}/console/events`);
  await rowCount(5);
  await page.getByRole('button', { name: 'Unique events' }).click();
  await page.getByRole('button', { name: 'Open unique event ET MALWARE test beacon: 10.0.0.5 → 203.0.113.7' }).click();
  const detail = page.getByRole('region', { name: 'Unique event: ET MALWARE test beacon: 10.0.0.5 → 203.0.113.7' });
  await detail.locator('.unique-count', { hasText: '3' }).waitFor();
  const latest = detail.getByRole('list', { name: 'Latest events of this unique event' }).getByRole('listitem');
  await latest.nth(2).waitFor();
  assert.equal(await latest.count(), 3);
  const search = new URL(await detail.getByRole('link', { name: 'Search its events' }).getAttribute('href') as string, t.url);
  assert.deepEqual(Object.fromEntries(search.searchParams), { type: 'intrusion', sid: '2024001', observable: '10.0.0.5' });
  const inv = new URL(await detail.getByRole('link', { name: 'Investigate its addresses' }).getAttribute('href') as string, t.url);
  assert.equal(inv.searchParams.get('q'), '10.0.0.5 203.0.113.7');

  // One of its events opens as an event, beside it.
  await latest.first().getByRole('button').click();
  await page.getByRole('heading', { name: /^Event ev-/ }).waitFor();
  assert.match(new URL(page.url()).pathname, /^\/console\/events\/ev-/);
  await page.getByRole('region', { name: /^Event ev-/ }).getByRole('button', { name: 'Close detail' }).click();

  await detail.getByRole('button', { name: 'Promote to incident' }).click();
  const link = detail.getByRole('status').getByRole('link');
  await link.waitFor();
  await detail.getByRole('status').filter({ hasText: /^Incident created with 3 events: / }).waitFor();
  const href = await link.getAttribute('href') as string;
  assert.match(href, /^\/console\/incidents\/incident-/);
  const sightings = await t.api(`/ctia/incident/${href.split('/').pop()}/sightings`);
  assert.equal(sightings.status, 200, sightings.text);
  assert.deepEqual(sightings.body.map((s: any) => s.count), [3], 'one sighting holding its three events');
  assert.ok(await detail.getByRole('button', { name: 'Promote to incident' }).isDisabled(), 'once is enough');

  await detail.getByRole('button', { name: 'Close detail' }).click();
  await detail.waitFor({ state: 'detached' });
  // Focus goes back to the row it was opened from, on the next frame.
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Open unique event ET MALWARE test beacon: 10.0.0.5 → 203.0.113.7');

  // A read-only user opens it too, with nothing to promote.
  const made = await t.api('/console/api/users', { method: 'POST', body: { username: 'unique-reader', password: 'reader-password-1', role: 'read-only' } });
  assert.equal(made.status, 201, made.text);
  const readerContext = await browser.newContext({ ignoreHTTPSErrors: true });
  const reader = await readerContext.newPage();
  await reader.goto(`${t.url}/console/events`);
  await reader.getByLabel('User name').fill('unique-reader');
  await reader.getByLabel('Password').fill('reader-password-1');
  await reader.getByRole('button', { name: 'Sign in' }).click();
  await reader.getByRole('button', { name: 'Unique events' }).click();
  await reader.getByRole('button', { name: /^Open unique event ET POLICY other lookup/ }).click();
  await reader.getByRole('list', { name: 'Latest events of this unique event' }).getByRole('listitem').nth(1).waitFor();
  assert.equal(await reader.getByRole('button', { name: 'Promote to incident' }).count(), 0);
  await readerContext.close();
});

test('a new event sent while the page is open appears without a reload', async () => {
  await page.goto(`${t.url}/console/events`);
  await rowCount(5);
  let navigations = 0;
  const onNav = () => navigations++;
  page.on('framenavigated', onNav);
  await send([intrusion({ signature: { gid: 1, sid: 2029999, rev: 1, message: 'ET INFO live arrival', classification: 'misc-activity', priority: 3 } })]);
  const row = page.getByRole('row', { name: /ET INFO live arrival/ });
  await row.waitFor({ timeout: 10_000 });
  page.off('framenavigated', onNav);
  assert.equal(navigations, 0);
  assert.match(await eventRows().first().innerText(), /ET INFO live arrival/, 'newest first');
  await rowCount(6);
  await page.getByRole('status').filter({ hasText: '1 new event' }).waitFor({ state: 'attached' });
});

test('"All time" spreads events of one afternoon over many bars, not one bar a day wide', async () => {
  // Two days back (inside the 30 days retention keeps), six hours within one UTC day.
  const day = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 2 * 86_400_000;
  await send(Array.from({ length: 48 }, (_, i) => intrusion({ dst_ip: '192.0.2.70', time: new Date(day + 10 * 3600_000 + i * 450_000).toISOString() })));
  await page.goto(`${t.url}/console/events?observable=192.0.2.70`);
  assert.equal(await page.getByLabel('Time range', { exact: true }).inputValue(), 'all');
  const label = await page.getByRole('img', { name: /^48 events in/ }).getAttribute('aria-label');
  const [, buckets, secs] = /in (\d+) buckets of (\d+) s/.exec(label ?? '') ?? [];
  assert.ok(Number(buckets) >= 20 && Number(buckets) <= 60, label ?? '');
  assert.equal(Number(secs), 600, 'six hours in ten-minute buckets');
  assert.equal(await page.locator('svg rect.hist-bar').count(), Number(buckets));
});

test('at 1280 px both tables fit beside the menu: the Action and Devices columns are not cut off', async () => {
  const wide = {
    src_ip: '192.168.100.123', src_port: 65001, dst_ip: '198.51.100.200', dst_port: 65002,
    signature: { gid: 1, sid: 2030358, rev: 1, message: 'ET EXPLOIT Possible Apache log4j RCE Attempt (CVE-2021-44228)', classification: 'attempted-admin', priority: 2 },
  };
  await send([intrusion(wide), intrusion(wide)]);
  const fits = () => page.evaluate(() => {
    const wrap = document.querySelector('.table-wrap') as HTMLElement;
    return wrap.scrollWidth <= wrap.clientWidth;
  });
  await page.goto(`${t.url}/console/events?observable=198.51.100.200`);
  await rowCount(2);
  assert.ok(await fits(), 'the events table scrolls sideways at 1280 px');
  await page.getByRole('button', { name: 'Unique events' }).click();
  await page.locator('table.unique-table tbody tr').first().waitFor();
  assert.ok(await fits(), 'the unique events table scrolls sideways at 1280 px');
  const ragged = await page.evaluate(() => Array.from(document.querySelectorAll('table.unique-table tbody tr'))
    .some((tr) => new Set(Array.from(tr.children).map((td) => Math.round(td.getBoundingClientRect().height))).size > 1));
  assert.equal(ragged, false, 'every cell as tall as its row');
});

test('keyset paging loads more; the page fits a narrow window; no CSP violations', async () => {
  await send(Array.from({ length: 60 }, () => intrusion({ dst_ip: '192.0.2.60' })));
  await page.goto(`${t.url}/console/events?observable=192.0.2.60`);
  await rowCount(50);
  await page.getByRole('button', { name: 'Load more' }).click();
  await rowCount(60);
  await page.getByRole('button', { name: 'Load more' }).waitFor({ state: 'detached' });
  const ids = await page.evaluate(() => Array.from(document.querySelectorAll('[data-event-id]')).map((b) => b.getAttribute('data-event-id')));
  assert.equal(new Set(ids).size, 60, 'no event twice across pages');

  await page.setViewportSize({ width: 380, height: 800 });
  const listed = await t.api('/api/v1/events?limit=1');
  await page.goto(`${t.url}/console/events/${listed.body.data[0].id}`);
  await page.getByRole('heading', { name: /^Event / }).waitFor();
  await page.getByLabel('Raw record').waitFor();
  await eventRows().first().waitFor();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'no page-wide horizontal scroll');
  await page.setViewportSize({ width: 1280, height: 800 });
  assert.deepEqual(cspViolations, []);
});
