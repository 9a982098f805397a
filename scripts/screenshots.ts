// npm run screenshots [-- --out docs/screenshots]
// Runs `threatlink up --demo` in a scratch directory, lets the demo sensor send alerts for a
// while, and photographs every console page in Debian's Chromium at 1280×800 (and the Events
// page at a narrow width), so the README's pictures show what a new user sees.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { runCli, freePort } from '../test/helpers/process.js';

const args = process.argv.slice(2);
const out = args.includes('--out') ? (args[args.indexOf('--out') + 1] as string) : 'docs/screenshots';
const PASSWORD = 'screenshot-admin-password';
const say = (s: string) => process.stderr.write(`${s}\n`);

/** A call to the API as the signed-in user, with the session's CSRF token. */
async function api(page: Page, method: string, path: string, body: unknown): Promise<void> {
  const status = await page.evaluate(async ([m, p, b]) => {
    const { csrf_token } = await (await fetch('/console/api/session')).json() as { csrf_token: string };
    const r = await fetch(p as string, { method: m as string, headers: { 'content-type': 'application/json', 'x-csrf-token': csrf_token }, body: JSON.stringify(b) });
    return r.status;
  }, [method, path, body]);
  if (status >= 300) throw new Error(`${method} ${path}: ${status}`);
}

/** What each page is photographed doing: the address, and what to wait for before the picture. */
const SHOTS: Array<{ name: string; path: string; ready?: (p: Page) => Promise<unknown> }> = [
  { name: 'devices', path: 'devices', ready: (p) => p.getByRole('row', { name: /demo-sensor/ }).waitFor() },
  { name: 'events', path: 'events', ready: (p) => p.locator('table tbody tr').first().waitFor() },
  { name: 'investigate', path: 'investigate?q=evil-c2.duckdns.org', ready: (p) => p.locator('canvas').first().waitFor() },
  { name: 'incidents', path: 'incidents', ready: (p) => p.locator('table tbody tr').first().waitFor() },
  { name: 'incident-rules', path: 'incident-rules', ready: (p) => p.locator('table tbody tr').first().waitFor() },
  {
    name: 'incident', path: 'incidents',
    ready: async (p) => {
      await p.locator('[data-incident-id]').first().click();
      await p.getByRole('heading', { level: 2 }).first().waitFor();
    },
  },
  {
    name: 'casebooks', path: 'casebooks',
    ready: async (p) => {
      await p.getByText('C2 infrastructure seen by the demo sensor').first().click();
      await p.getByRole('heading', { level: 2 }).first().waitFor();
    },
  },
  { name: 'modules', path: 'modules' },
  { name: 'feeds', path: 'feeds' },
  { name: 'clients', path: 'clients' },
  {
    name: 'doctor', path: 'doctor',
    ready: async (p) => {
      await p.getByRole('main').getByRole('link', { name: /demo-sensor/ }).click();
      await p.getByRole('table').first().waitFor();
    },
  },
  { name: 'users', path: 'users' },
];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tl-shots-'));
  const port = await freePort();
  const up = await runCli(
    ['up', '--demo', '--data-dir', dir, '--listen', `127.0.0.1:${port}`, '--demo-connector-port', String(await freePort()), '--demo-rate', '20'],
    { THREATLINK_BOOTSTRAP_USER: 'admin', THREATLINK_BOOTSTRAP_PASSWORD: PASSWORD, THREATLINK_LOG_LEVEL: 'warn' },
    /demo sensor/,
  );
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    mkdirSync(out, { recursive: true });
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const base = `https://127.0.0.1:${port}/console/`;
    await page.goto(base);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.screenshot({ path: join(out, 'sign-in.png') });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    // A feed naming some of the demo's addresses and domains, so events are tagged and verdicts
    // shown; a casebook, so that page has something to show.
    // Feeds read local files only from the feed files directory (<data-dir>/feeds); a name there is enough.
    mkdirSync(join(dir, 'feeds'), { recursive: true });
    writeFileSync(join(dir, 'feeds', 'demo-feed.txt'), '# demo threat-intel list\n203.0.113.45\nevil-c2.duckdns.org\nlogin-micros0ft.com\n');
    await api(page, 'POST', '/iroh/iroh-int/module_instance', { kind: 'feed', name: 'Demo blocklist', settings: { source: 'demo-feed.txt', format: 'list', refresh_seconds: 600 } });
    await api(page, 'POST', '/ctia/casebook', {
      title: 'C2 infrastructure seen by the demo sensor', description: 'Cobalt Strike beacons from 10.10.1.15', type: 'casebook',
      observables: [{ type: 'domain', value: 'evil-c2.duckdns.org' }, { type: 'ip', value: '203.0.113.45' }], texts: [{ type: 'notes', text: 'Blocked on the sensors; waiting for the proxy logs.' }],
    });
    say('letting the demo sensor send alerts for 20 s…');
    await page.waitForTimeout(20_000);
    for (const s of SHOTS) {
      await page.goto(base + s.path);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await (s.ready?.(page) ?? page.waitForLoadState('networkidle')).catch(async (err: unknown) => {
        await page.screenshot({ path: join(tmpdir(), `screenshot-${s.name}-failed.png`) });
        throw err;
      });
      // Let data that streams in (module answers, live events) settle.
      await page.waitForTimeout(1500);
      await page.screenshot({ path: join(out, `${s.name}.png`), fullPage: true });
      say(`  ${s.name}.png`);
    }
    await page.setViewportSize({ width: 420, height: 800 });
    await page.goto(base + 'events');
    await page.locator('table tbody tr, ul li').first().waitFor();
    await page.waitForTimeout(1000);
    await page.screenshot({ path: join(out, 'events-narrow.png') });
    say('  events-narrow.png');
  } finally {
    await browser.close();
    up.child.kill('SIGTERM');
    await up.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  say(`screenshots: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(1);
});
