// The console's admin pages in Debian's Chromium against a real exchange: a relay module added
// with an HS256 key the module checks, its health, the enabled switch, edit and delete; a feed
// read from a local file with its indicator count; an API client whose shown secret really gets
// a token, until it is deleted; a registration token revoked; a user created, its role changed,
// its password reset and deleted; and a read-only user who sees no change controls.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { jwtVerify } from 'jose';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestExchange, cleanup, registrationToken, enroll, type TestExchange } from './helpers/exchange.js';
import { https, accessToken } from './helpers/https.js';
import { startRelay, type RelayServer } from './helpers/relay-server.js';

const MODULES = '/iroh/iroh-int/module_instance';
const RELAY_KEY = 'relay-shared-key-for-the-console-test';
const LIST_FEED = fileURLToPath(new URL('./fixtures/feeds/list.txt', import.meta.url));

let t: TestExchange;
let browser: Browser;
let relay: RelayServer;
let adminPassword: string;

before(async () => {
  t = await startTestExchange(undefined, { feedFilesDir: dirname(LIST_FEED) });
  adminPassword = t.ex.bootstrap.user.generatedPassword as string;
  // Answers only calls bearing a JWT signed with the key typed into the form.
  relay = await startRelay('relay-a', {
    auth: async (header) => {
      try {
        await jwtVerify((header ?? '').replace(/^Bearer /, ''), new TextEncoder().encode(RELAY_KEY));
        return null;
      } catch (err) {
        return `bad token: ${(err as Error).message}`;
      }
    },
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  await browser?.close();
  await relay?.close();
  await t.close();
  cleanup(t.dataDir);
});

async function signedIn(username: string, password: string, width = 1280): Promise<{ context: BrowserContext; page: Page; csp: string[] }> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
  const page = await context.newPage();
  const csp: string[] = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) csp.push(m.text()); });
  await page.goto(`${t.url}/console/modules`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Modules', level: 1 }).waitFor();
  return { context, page, csp };
}

async function open(page: Page, link: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click();
  await page.getByRole('heading', { name: link, level: 1 }).waitFor();
}

async function noPageWideScroll(page: Page): Promise<void> {
  await page.setViewportSize({ width: 420, height: 800 });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'no page-wide horizontal scroll at 420 px');
  await page.setViewportSize({ width: 1280, height: 800 });
}

const instance = async (name: string) => ((await t.api(MODULES)).body as Array<{ id: string; name: string; enabled: boolean; auth: { type: string }; settings?: Record<string, unknown> }>).find((m) => m.name === name);

test('admin: relay module: add with an HS256 key, health, disable, edit, delete', async () => {
  const { context, page, csp } = await signedIn('admin', adminPassword);

  // Built-in instances are listed, marked, and cannot be switched off or deleted.
  const builtin = page.getByRole('row').filter({ hasText: 'built-in' });
  await builtin.first().waitFor();
  assert.ok((await builtin.count()) >= 3);
  assert.equal(await builtin.getByRole('button', { name: /^(Delete|Edit) / }).count(), 0);
  assert.equal(await builtin.getByRole('switch').count(), 0);

  await page.getByRole('button', { name: 'Add relay module' }).click();
  const form = page.getByRole('form', { name: 'Add a relay module' });
  await form.getByLabel('Name', { exact: true }).fill('Relay A');
  await form.getByLabel('Module URL').fill(relay.url);
  await form.getByLabel('Authentication').selectOption('hs256');
  await form.getByLabel('Shared key').fill(RELAY_KEY);
  await form.getByLabel('Timeout (seconds)').fill('5');
  await noPageWideScroll(page);
  await form.getByRole('button', { name: 'Add module' }).click();
  await form.waitFor({ state: 'detached' });

  const row = page.getByRole('row', { name: /Relay A/ });
  await row.getByText(relay.url).waitFor();
  const made = await instance('Relay A');
  assert.ok(made);
  assert.deepEqual(made.auth, { type: 'hs256' }, 'the key is stored, never shown');

  // Health goes to the module with a token signed with the typed key.
  const health = page.getByRole('status', { name: 'Health of Relay A' });
  await page.getByRole('button', { name: 'Check health of Relay A' }).click();
  await health.filter({ hasText: /^ok$/ }).waitFor();
  assert.equal(relay.calls['/health'], 1);

  // Disable, from the keyboard.
  const sw = page.getByRole('switch', { name: 'Enabled: Relay A' });
  assert.equal(await sw.getAttribute('aria-checked'), 'true');
  await sw.focus();
  await page.keyboard.press('Space');
  await page.getByRole('switch', { name: 'Enabled: Relay A', checked: false }).waitFor();
  assert.equal((await instance('Relay A'))?.enabled, false);
  await page.getByRole('button', { name: 'Check health of Relay A' }).click();
  await health.filter({ hasText: 'disabled' }).waitFor();

  // Edit the name only: the stored key stays, so health is still ok once enabled again.
  await page.getByRole('button', { name: 'Edit Relay A' }).click();
  const edit = page.getByRole('form', { name: 'Edit Relay A' });
  await edit.getByLabel('Name', { exact: true }).fill('Relay B');
  await edit.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('row', { name: /Relay B/ }).waitFor();
  await page.getByRole('switch', { name: 'Enabled: Relay B' }).click();
  await page.getByRole('switch', { name: 'Enabled: Relay B', checked: true }).waitFor();
  await page.getByRole('button', { name: 'Check health of Relay B' }).click();
  await page.getByRole('status', { name: 'Health of Relay B' }).filter({ hasText: /^ok$/ }).waitFor();

  await page.getByRole('button', { name: 'Delete Relay B' }).click();
  await page.getByRole('button', { name: 'Yes, delete Relay B' }).click();
  await page.getByRole('row', { name: /Relay B/ }).waitFor({ state: 'detached' });
  assert.equal((await t.api(`${MODULES}/${made.id}`)).status, 404);

  assert.deepEqual(csp, []);
  await context.close();
});

test('admin: feed from a local file shows its indicators; delete', async () => {
  const { context, page, csp } = await signedIn('admin', adminPassword);
  await open(page, 'Feeds');
  await page.getByRole('button', { name: 'Add feed' }).click();
  const form = page.getByRole('form', { name: 'Add a feed' });
  await form.getByLabel('Name', { exact: true }).fill('Local list');
  await form.getByLabel('Source (file path or URL)').fill(LIST_FEED);
  await form.getByLabel('Format').selectOption('list');
  await form.getByLabel('Refresh every (seconds)').fill('600');
  await form.getByLabel('Disposition').selectOption('Suspicious');
  await form.getByRole('button', { name: 'Add feed' }).click();
  await form.waitFor({ state: 'detached' });

  const made = await instance('Local list');
  assert.ok(made);
  const h = await t.api(`/iroh/iroh-enrich/health/${made.id}`, { method: 'POST' });
  const count = h.body.data[0].data.indicators as number;
  assert.ok(count > 0);
  const row = page.getByRole('row', { name: /Local list/ });
  await row.getByRole('cell', { name: 'Indicators in Local list' }).getByText(String(count), { exact: true }).waitFor();
  await row.getByText(LIST_FEED).waitFor();
  await row.getByText('10 min').waitFor();
  await row.getByText('Suspicious').waitFor();
  // The fixture's range is counted, and its unreadable line is named with why, not only counted.
  await row.getByText('1 range', { exact: true }).waitFor();
  const skipped = h.body.data[0].data.skipped_entries as Array<{ at: string; entry: string }>;
  assert.equal(skipped.length, 1);
  await row.getByLabel('1 skipped in Local list: show which').click();
  const list = row.getByRole('list', { name: 'Skipped in Local list' });
  await list.getByText(skipped[0]!.entry).waitFor();
  assert.match(await list.innerText(), new RegExp(`^${skipped[0]!.at}: this-line-is-not-an-observable — not an address`));
  await noPageWideScroll(page);

  await page.getByRole('button', { name: 'Delete Local list' }).click();
  await page.getByRole('button', { name: 'Yes, delete Local list' }).click();
  await row.waitFor({ state: 'detached' });
  assert.equal(await instance('Local list'), undefined);
  assert.deepEqual(csp, []);
  await context.close();
});

test('admin: the feed form names the server\'s feed files directory, and a file name there is enough', async () => {
  const { context, page, csp } = await signedIn('admin', adminPassword);
  await open(page, 'Feeds');
  await page.getByRole('button', { name: 'Add feed' }).click();
  const form = page.getByRole('form', { name: 'Add a feed' });
  const source = form.getByLabel('Source (file path or URL)');
  await form.getByText(`A local file must be in ${dirname(LIST_FEED)} on the server`).waitFor();
  // The hint is the source field's description, so a screen reader reads it with the field.
  const hint = await source.getAttribute('aria-describedby');
  assert.match(await form.locator(`[id="${hint}"]`).innerText(), /give its name or its path under that directory/);
  await form.getByLabel('Name', { exact: true }).fill('Named list');
  await source.fill('list.txt');
  await form.getByRole('button', { name: 'Add feed' }).click();
  await form.waitFor({ state: 'detached' });
  const row = page.getByRole('row', { name: /Named list/ });
  await row.getByText(LIST_FEED, { exact: true }).waitFor();
  await row.getByRole('cell', { name: 'Indicators in Named list' }).getByText(/^\d+$/).waitFor();
  assert.equal((await instance('Named list'))?.settings?.source, LIST_FEED);
  await page.getByRole('button', { name: 'Delete Named list' }).click();
  await page.getByRole('button', { name: 'Yes, delete Named list' }).click();
  await row.waitFor({ state: 'detached' });
  assert.deepEqual(csp, []);
  await context.close();
});

test('admin: API client secret shown once gets a token until deleted; registration token revoked', async () => {
  const regToken = await registrationToken(t);
  const { context, page, csp } = await signedIn('admin', adminPassword);
  await open(page, 'API clients');

  await page.getByRole('button', { name: 'Create API client' }).click();
  const form = page.getByRole('form', { name: 'Create API client' });
  await form.getByLabel('Name', { exact: true }).fill('nightly script');
  await form.getByLabel('Role').selectOption('analyst');
  await form.getByRole('button', { name: 'Create' }).click();
  await page.getByText('you will not see it again').waitFor();
  const id = (await page.getByTestId('client-id').innerText()).trim();
  const secret = (await page.getByTestId('client-secret').innerText()).trim();
  await page.getByRole('button', { name: 'Copy client secret' }).click();
  await page.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);

  // The secret shown is the real one.
  assert.ok(await accessToken(t.url, t.ca, id, secret));
  await page.getByRole('button', { name: 'Done, I have copied it' }).click();
  assert.equal(await page.getByTestId('client-secret').count(), 0, 'the secret is gone from the page');
  const row = page.getByRole('row', { name: /nightly script/ });
  await row.getByRole('cell', { name: 'analyst' }).waitFor();
  await noPageWideScroll(page);

  await page.getByRole('button', { name: 'Delete nightly script' }).click();
  await page.getByRole('button', { name: 'Yes, delete nightly script' }).click();
  await row.waitFor({ state: 'detached' });
  const refused = await https(`${t.url}/iroh/oauth2/token`, {
    method: 'POST', ca: t.ca, body: 'grant_type=client_credentials',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(refused.status, 401);

  // Registration tokens: the one made above is usable until revoked here.
  const tokens = (await t.api('/api/v1/tokens')).body.data as Array<{ id: string; revoked: boolean }>;
  const tokenId = tokens.find((x) => regToken.includes(x.id))?.id;
  assert.ok(tokenId, 'the token string names its id');
  const tokenRow = page.getByRole('row', { name: new RegExp(tokenId) });
  await tokenRow.getByText('usable').waitFor();
  await page.getByRole('button', { name: `Revoke token ${tokenId}` }).click();
  await page.getByRole('button', { name: `Yes, revoke token ${tokenId}` }).click();
  await tokenRow.getByText('revoked').waitFor();
  assert.equal(await page.getByRole('button', { name: `Revoke token ${tokenId}` }).count(), 0);
  assert.notEqual((await enroll(t, regToken, 'too-late')).r.status, 201);

  assert.deepEqual(csp, []);
  await context.close();
});

test('admin: create a user, change its role, reset its password, delete; not yourself', async () => {
  const { context, page, csp } = await signedIn('admin', adminPassword);
  await open(page, 'Users');
  const me = page.getByRole('row', { name: /admin/ }).filter({ hasText: 'you' });
  await me.waitFor();
  assert.equal(await me.getByRole('button').count(), 0, 'no controls on your own row');
  assert.equal(await me.getByRole('combobox').count(), 0);

  await page.getByRole('button', { name: 'Create user' }).click();
  const form = page.getByRole('form', { name: 'Create user' });
  await form.getByLabel('User name').fill('carol');
  await form.getByLabel('Password').fill('carol-first-password');
  await form.getByLabel('Role').selectOption('read-only');
  await form.getByRole('button', { name: 'Create' }).click();
  await form.waitFor({ state: 'detached' });
  const users = async () => (await t.api('/console/api/users')).body.data as Array<{ username: string; role: string }>;
  assert.equal((await users()).find((u) => u.username === 'carol')?.role, 'read-only');

  await page.getByLabel('Role of carol').selectOption('analyst');
  await page.getByRole('button', { name: 'Save role of carol' }).click();
  await page.getByText('Role is now analyst.').waitFor();
  assert.equal((await users()).find((u) => u.username === 'carol')?.role, 'analyst');

  await page.getByRole('button', { name: 'Reset password of carol' }).click();
  await page.getByLabel('New password for carol').fill('carol-second-password');
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.getByText(/Password changed/).waitFor();
  const signIn = (password: string) => https(`${t.url}/console/api/session`, { method: 'POST', ca: t.ca, body: { username: 'carol', password } });
  assert.equal((await signIn('carol-second-password')).status, 200);
  assert.notEqual((await signIn('carol-first-password')).status, 200);
  await noPageWideScroll(page);

  await page.getByRole('button', { name: 'Delete carol' }).click();
  await page.getByRole('button', { name: 'Yes, delete carol' }).click();
  await page.getByRole('row', { name: /carol/ }).waitFor({ state: 'detached' });
  assert.equal((await users()).some((u) => u.username === 'carol'), false);

  assert.deepEqual(csp, []);
  await context.close();
});

test('read-only: reads modules and feeds without change controls; clients and users are admins only', async () => {
  const feed = await t.api(MODULES, { method: 'POST', body: { kind: 'feed', name: 'Shared list', settings: { source: LIST_FEED, format: 'list' } } });
  assert.equal(feed.status, 201, feed.text);
  const stix = await t.api(MODULES, { method: 'POST', body: { kind: 'feed', name: 'Shared STIX', settings: { source: join(dirname(LIST_FEED), 'stix2-bundle.json'), format: 'stix2' } } });
  assert.equal(stix.status, 201, stix.text);
  const made = await t.api('/console/api/users', { method: 'POST', body: { username: 'viewer', password: 'viewer-password-1', role: 'read-only' } });
  assert.equal(made.status, 201, made.text);
  const { context, page, csp } = await signedIn('viewer', 'viewer-password-1', 420);

  const changes = /^(Add relay module|Add feed|Edit |Delete |Create |Revoke |Reset password|Save)/;
  await page.getByRole('row', { name: /Shared list/ }).waitFor();
  assert.equal(await page.getByRole('switch').count(), 0);
  assert.equal(await page.getByRole('button', { name: changes }).count(), 0);
  await page.getByRole('button', { name: 'Check health of Shared list' }).click();
  await page.getByRole('status', { name: 'Health of Shared list' }).filter({ hasText: /^ok/ }).waitFor();

  await open(page, 'Feeds');
  await page.getByRole('row', { name: /Shared list/ }).getByRole('cell', { name: 'Indicators in Shared list' }).filter({ hasText: /^\d+/ }).waitFor();
  assert.equal(await page.getByRole('button', { name: changes }).count(), 0);
  // A STIX feed's indicators outside their validity window are listed apart: they match nothing.
  const stixCell = page.getByRole('row', { name: /Shared STIX/ }).getByRole('cell', { name: 'Indicators in Shared STIX' });
  await stixCell.getByText('1 expired', { exact: true }).waitFor();
  await stixCell.getByText('1 not valid yet', { exact: true }).waitFor();

  // The navigation leaves these out for non-admins; their addresses still answer, in words.
  const nav = page.getByRole('navigation', { name: 'Main' });
  assert.equal(await nav.getByRole('link', { name: /^(API clients|Users)$/ }).count(), 0);
  await page.goto(`${t.url}/console/clients`);
  await page.getByText('Only admins can see and manage API clients').waitFor();
  assert.equal(await page.getByRole('alert').count(), 0, 'no error dump');

  await page.goto(`${t.url}/console/users`);
  await page.getByText('Only admins can see and manage users.').waitFor();
  assert.equal(await page.getByRole('alert').count(), 0, 'no error dump');
  assert.equal(await page.getByRole('button', { name: changes }).count(), 0);

  assert.deepEqual(csp, []);
  await context.close();
});
