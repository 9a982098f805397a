// The console against a real server: sign-in and sessions over the API (cookie flags, CSRF,
// roles, rate limit, CSP), then the web app in Debian's Chromium driven by playwright-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser } from 'playwright-core';
import { startTestExchange, cleanup, enrollDevice, type TestExchange } from './helpers/exchange.js';
import { https } from './helpers/https.js';

let t: TestExchange;
let browser: Browser;
let adminPassword: string;

before(async () => {
  t = await startTestExchange();
  adminPassword = t.ex.bootstrap.user.generatedPassword as string;
  await enrollDevice(t, 'sensor-console');
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

interface Signed { cookie: string; csrf: string; setCookie: string }

async function signIn(username: string, password: string): Promise<Signed> {
  const r = await t.api('/console/api/session', { method: 'POST', as: 'none', body: { username, password } });
  assert.equal(r.status, 200, r.text);
  const setCookie = [r.headers['set-cookie']].flat()[0] as string;
  return { cookie: setCookie.split(';')[0] as string, csrf: r.body.csrf_token, setCookie };
}

const as = (s: Signed, csrf = true) => ({ as: 'none', headers: { cookie: s.cookie, ...(csrf ? { 'x-csrf-token': s.csrf } : {}) } });

test('the session cookie is Secure, HttpOnly, SameSite=Strict, Path=/; the session answers who I am', async () => {
  const s = await signIn('admin', adminPassword);
  const flags = s.setCookie.split(';').map((x) => x.trim());
  for (const f of ['Secure', 'HttpOnly', 'SameSite=Strict', 'Path=/']) assert.ok(flags.includes(f), `${f} in ${s.setCookie}`);
  assert.match(s.cookie, /^__Host-threatlink-session=[\w-]{40,}$/);
  const me = await t.api('/console/api/session', as(s, false));
  assert.equal(me.status, 200);
  assert.deepEqual([me.body.user.username, me.body.user.role, me.body.csrf_token], ['admin', 'admin', s.csrf]);
  const nobody = await t.api('/console/api/session', { as: 'none' });
  assert.equal(nobody.status, 401);
});

test('a session reaches the same API under the same org and role rules; unsafe methods need the CSRF token', async () => {
  const admin = await signIn('admin', adminPassword);
  const devices = await t.api('/api/v1/devices', as(admin, false));
  assert.equal(devices.status, 200);
  assert.deepEqual(devices.body.data.map((d: any) => d.name), ['sensor-console']);

  const body = { username: 'ro', password: 'read-only-password', role: 'read-only' };
  const noCsrf = await t.api('/console/api/users', { method: 'POST', body, ...as(admin, false) });
  assert.equal(noCsrf.status, 403);
  const wrongCsrf = await t.api('/console/api/users', { method: 'POST', body, as: 'none', headers: { cookie: admin.cookie, 'x-csrf-token': 'x'.repeat(43) } });
  assert.equal(wrongCsrf.status, 403);
  const made = await t.api('/console/api/users', { method: 'POST', body, ...as(admin) });
  assert.equal(made.status, 201, made.text);
  assert.equal((await t.api('/console/api/users', { method: 'POST', body, ...as(admin) })).status, 409);
  assert.equal((await t.api(`/console/api/users/${made.body.id}`, { method: 'PATCH', body: { role: 'analyst' }, ...as(admin, false) })).status, 403);

  const ro = await signIn('ro', 'read-only-password');
  assert.equal((await t.api('/api/v1/devices', as(ro, false))).status, 200);
  const forbidden = await t.api('/console/api/users', { method: 'POST', body: { ...body, username: 'ro2' }, ...as(ro) });
  assert.equal(forbidden.status, 403);
  assert.equal((await t.api('/console/api/users', as(ro))).status, 403);
  assert.equal((await t.api('/api/v1/clients', { method: 'POST', body: { name: 'x' }, ...as(ro) })).status, 403);

  // An admin cannot lock themself out; a bearer token keeps working beside sessions.
  assert.equal((await t.api(`/console/api/users/${made.body.id}`, { method: 'DELETE', ...as(admin) })).status, 204);
  const self = (await t.api('/console/api/session', as(admin, false))).body.user.id;
  assert.equal((await t.api(`/console/api/users/${self}`, { method: 'DELETE', ...as(admin) })).status, 409);
  assert.equal((await t.api('/console/api/users')).status, 200);
  assert.equal((await t.api('/api/v1/devices', as(ro, false))).status, 401, 'a deleted user\'s session is gone');
});

test('sign-out needs the CSRF token and ends the session', async () => {
  const s = await signIn('admin', adminPassword);
  assert.equal((await t.api('/console/api/session', { method: 'DELETE', ...as(s, false) })).status, 403);
  const out = await t.api('/console/api/session', { method: 'DELETE', ...as(s) });
  assert.equal(out.status, 204);
  assert.match(String(out.headers['set-cookie']), /Max-Age=0/);
  assert.equal((await t.api('/api/v1/devices', as(s, false))).status, 401);
});

test('wrong passwords are refused, then rate-limited per user name and address', async () => {
  const made = await t.api('/console/api/users', { method: 'POST', body: { username: 'target', password: 'the-right-password', role: 'analyst' } });
  assert.equal(made.status, 201);
  for (let i = 0; i < 5; i++) {
    const r = await t.api('/console/api/session', { method: 'POST', as: 'none', body: { username: 'target', password: `wrong-${i}` } });
    assert.equal(r.status, 401);
    assert.equal(r.body.message, 'wrong user name or password');
  }
  const limited = await t.api('/console/api/session', { method: 'POST', as: 'none', body: { username: 'target', password: 'the-right-password' } });
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers['retry-after']) > 0);
  const unknown = await t.api('/console/api/session', { method: 'POST', as: 'none', body: { username: 'nobody', password: 'whatever' } });
  assert.equal(unknown.body.message, 'wrong user name or password', 'an unknown name reads the same');
  const form = await https(`${t.url}/console/api/session`, { method: 'POST', ca: t.ca, body: 'username=admin&password=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(form.status, 415, 'no sign-in from a cross-site form');
});

test('the app is served with a strict CSP, SPA fallback and cached assets', async () => {
  const page = await t.api('/console/devices', { as: 'none' });
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  const csp = String(page.headers['content-security-policy']);
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(page.headers['cache-control'], 'no-store');
  const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(page.text)?.[1];
  assert.ok(asset, page.text);
  const js = await t.api(asset, { as: 'none' });
  assert.equal(js.status, 200);
  assert.match(String(js.headers['cache-control']), /immutable/);
  assert.equal((await t.api('/console/assets/missing.js', { as: 'none' })).status, 404);
  assert.equal((await t.api('/console/api/nothing', { as: 'none' })).status, 404);
  const root = await t.api('/console', { as: 'none' });
  assert.equal(root.status, 302);
  assert.equal(root.headers.location, '/console/');
});

test('in Chromium: a wrong password shows a message; sign in, see the devices, navigate, sign out', async () => {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
  await page.goto(`${t.url}/console/`);

  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'wrong user name or password' }).waitFor();

  await page.getByLabel('Password').fill(adminPassword);
  await page.getByLabel('Password').press('Enter');
  await page.getByRole('heading', { name: 'Devices' }).waitFor();
  await page.getByRole('row', { name: /sensor-console/ }).waitFor();
  assert.match(await page.locator('header').innerText(), /admin\s+admin/);

  const [cookie] = await context.cookies();
  assert.deepEqual([cookie?.secure, cookie?.httpOnly, cookie?.sameSite, cookie?.path], [true, true, 'Strict', '/']);
  assert.deepEqual(await page.evaluate(() => [document.cookie, localStorage.length, sessionStorage.length]), ['', 0, 0], 'no secrets reachable by scripts');

  // Keyboard: the navigation is reachable with Tab and follows with Enter.
  await page.getByRole('link', { name: 'Devices' }).focus();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Events' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/console/events');
  await page.reload();
  await page.getByRole('heading', { name: 'Events' }).waitFor();
  await page.getByRole('search', { name: 'Event filters' }).waitFor();

  // Narrow: navigation and sign-out stay usable.
  await page.setViewportSize({ width: 380, height: 800 });
  await page.getByRole('link', { name: 'Devices' }).click();
  await page.getByRole('row', { name: /sensor-console/ }).waitFor();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'no page-wide horizontal scroll');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await page.reload();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  assert.deepEqual(cspViolations, []);
  await context.close();
});

test('in Chromium: an address that names no page says so, with a way home; the icon is the console\'s own, no 404 for /favicon.ico', async () => {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  // Chromium fetches the icon itself, out of playwright's sight; a failure shows only as a console message.
  const failed: string[] = [];
  page.on('console', (m) => { if (/Failed to load resource/.test(m.text()) && /favicon|\.svg$/.test(m.location().url)) failed.push(`${m.text()} ${m.location().url}`); });
  await page.goto(`${t.url}/console/no-such-page/at/all?x=1`);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Page not found', level: 1 }).waitFor();
  await page.getByRole('status').filter({ hasText: 'There is no console page at /console/no-such-page/at/all' }).waitFor();
  assert.equal(await page.title(), 'Page not found · threatlink console');
  assert.equal(await page.getByRole('heading', { name: 'Devices' }).count(), 0, 'not the Devices page in its place');
  assert.equal(await page.getByRole('navigation', { name: 'Main' }).locator('[aria-current="page"]').count(), 0);
  await page.getByRole('link', { name: 'Go to Devices' }).click();
  await page.getByRole('row', { name: /sensor-console/ }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/console/');
  // A known page's address with its own parts is that page.
  await page.goto(`${t.url}/console/events/ev-none`);
  await page.getByRole('heading', { name: 'Events', level: 1 }).waitFor();

  const icon = await page.locator('link[rel="icon"]').getAttribute('href');
  assert.match(icon ?? '', /^\/console\/assets\/.+\.svg$/);
  const svg = await t.api(icon!, { as: 'none' });
  assert.equal(svg.status, 200);
  assert.equal(svg.headers['content-type'], 'image/svg+xml');
  assert.match(String(svg.headers['cache-control']), /immutable/);
  await page.goto(`${t.url}/console/incidents`);
  await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
  await page.waitForLoadState('networkidle');
  assert.deepEqual(failed, []);
  await context.close();
});

test('in Chromium: a session that ends under an open page asks to sign in again over it, and the page carries on', async () => {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${t.url}/console/casebooks`);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Casebooks', level: 1 }).waitFor();
  await page.getByLabel('Title', { exact: true }).fill('Typed before the session ended');

  // The session ends elsewhere (another tab signs out; an idle timeout does the same).
  const other = await context.newPage();
  await other.goto(`${t.url}/console/devices`);
  await other.getByRole('button', { name: 'Sign out' }).click();
  await other.getByRole('button', { name: 'Sign in' }).waitFor();
  await other.close();

  await page.getByRole('button', { name: 'Create casebook' }).click();
  const dialog = page.getByRole('dialog', { name: 'threatlink console' });
  await dialog.getByText('Your session has ended').waitFor();
  assert.equal(await dialog.getByLabel('User name').inputValue(), 'admin');
  assert.doesNotMatch(await page.locator('form.new-casebook').innerText(), /Bearer|access token/, 'no API-client wording');
  await dialog.getByLabel('Password').fill(adminPassword);
  await dialog.getByLabel('Password').press('Enter');
  await dialog.waitFor({ state: 'detached' });

  // Same address, same page, what was typed still there: the action goes through now.
  assert.equal(new URL(page.url()).pathname, '/console/casebooks');
  assert.equal(await page.getByLabel('Title', { exact: true }).inputValue(), 'Typed before the session ended');
  await page.getByRole('button', { name: 'Create casebook' }).click();
  await page.getByRole('heading', { level: 2, name: 'Typed before the session ended' }).waitFor();
  await context.close();
});
