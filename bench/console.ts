// npm run bench:console [-- --events N] [--json]
// The console with a big store: N stored events (default 1,000,000, spread over the last 24
// hours), then what an analyst's browser asks for on the Events page — the first page, the
// histogram, the unique view, an observable filter, the next page — timed through the real
// HTTPS API, beside the reference: the same queries on the event store alone, in-process, on the
// same database. Then Debian's Chromium: the sign-in page cold, and the Events page until its
// first rows show, beside a bare /healthz navigation in the same browser.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startTestExchange, enrollDevice } from '../test/helpers/exchange.js';
import { openSqliteStores } from '../src/exchange/store/sqlite/index.js';
import { mapEve } from '../src/connector/sources/map-eve.js';
import { demoAlert } from '../src/connector/demo/simulator.js';
import { validateEvent } from '../src/events/validate.js';
import type { CommitItem, EventQuery } from '../src/exchange/store/types.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) || dflt : dflt;
};
const json = args.includes('--json');
const N = opt('--events', 1_000_000);
const REPS = opt('--reps', 15);
const BATCH = 5000;
const DAY = 86_400_000;
const say = (s: string) => { if (!json) process.stderr.write(`${s}\n`); };

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] as number;
const p95 = (a: number[]) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(a.length * 0.95))] as number;

async function timed(reps: number, fn: () => Promise<unknown>): Promise<number[]> {
  await fn(); // warm: the first read pays for the page cache, which a console in use has paid
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

async function seed(dbFile: string, orgId: string, deviceId: string): Promise<void> {
  const stores = openSqliteStores(dbFile);
  try {
    const now = Date.now();
    const t0 = performance.now();
    for (let done = 0; done < N; done += BATCH) {
      const items: CommitItem[] = [];
      for (let i = done; i < Math.min(N, done + BATCH); i++) {
        // Oldest first, evenly over the day, as a sensor would have sent them.
        const e = mapEve(demoAlert(Math.random, new Date(now - DAY + (i / N) * DAY)), `bench-console:${i}`);
        if (!e) throw new Error('mapEve returned null');
        const v = validateEvent(e);
        if (!v.ok) throw new Error(v.reason);
        items.push({ org_id: orgId, device_id: deviceId, event: v.event });
      }
      await stores.events.commit(items);
      if ((done / BATCH) % 20 === 0) say(`  seeding: ${done + items.length} of ${N} (${Math.round((done + items.length) / ((performance.now() - t0) / 1000))}/s)`);
    }
    say('  indexing…');
    await stores.events.unique(orgId, { limit: 1 });
  } finally {
    await stores.close();
  }
}

interface Query { name: string; path: string; store: (s: ReturnType<typeof openSqliteStores>, org: string) => Promise<unknown> }

function queries(cursorOf: () => string): Query[] {
  const since = () => new Date(Date.now() - DAY).toISOString();
  const page: EventQuery = { limit: 50 };
  return [
    { name: 'events, first page (24 h)', path: '/api/v1/events?limit=50', store: (s, o) => s.events.query(o, page) },
    { name: 'events, next page', path: '/api/v1/events?limit=50&cursor=CURSOR', store: (s, o) => s.events.query(o, { ...page, cursor: cursorOf() }) },
    { name: 'histogram, 24 h in 30 min buckets', path: '/api/v1/events/histogram?interval=30m&since=SINCE', store: (s, o) => s.events.histogram(o, { since: since(), intervalSeconds: 1800 }) },
    { name: 'unique events, first page', path: '/api/v1/events/unique?limit=50', store: (s, o) => s.events.unique(o, page) },
    { name: 'events naming a domain', path: '/api/v1/events?limit=50&observable=evil-c2.duckdns.org', store: (s, o) => s.events.query(o, { ...page, observable: 'evil-c2.duckdns.org' }) },
    { name: 'events, free text "Cobalt"', path: '/api/v1/events?limit=50&q=Cobalt', store: (s, o) => s.events.query(o, { ...page, q: 'Cobalt' }) },
    { name: 'events of one signature id', path: '/api/v1/events?limit=50&sid=2024217', store: (s, o) => s.events.query(o, { ...page, sid: 2024217 }) },
  ];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tl-bench-console-'));
  try {
    say(`bench/console — ${N} stored events`);
    // First start: the org, the first admin user and a device, as a real install has them.
    let t = await startTestExchange(dir);
    const password = t.ex.bootstrap.user.generatedPassword as string;
    const orgId = (await t.ex.ctx.stores.orgs.list())[0]!.id;
    const dev = await enrollDevice(t, 'sensor-bench');
    await t.close();
    await seed(join(dir, 'exchange.db'), orgId, dev.deviceId);

    // The reference: the store alone, on the same file.
    let cursor = '';
    const store = openSqliteStores(join(dir, 'exchange.db'));
    const storeTimes = new Map<string, number[]>();
    try {
      cursor = (await store.events.query(orgId, { limit: 50 })).next_cursor as string;
      for (const q of queries(() => cursor)) storeTimes.set(q.name, await timed(REPS, () => q.store(store, orgId)));
    } finally {
      await store.close();
    }

    t = await startTestExchange(dir);
    const rows: Array<{ query: string; api_p50_ms: number; api_p95_ms: number; store_p50_ms: number; ratio: number }> = [];
    try {
      say('  query                                  API p50 / p95        store alone p50   ratio');
      for (const q of queries(() => cursor)) {
        const path = q.path.replace('CURSOR', cursor).replace('SINCE', encodeURIComponent(new Date(Date.now() - DAY).toISOString()));
        const api = await timed(REPS, async () => {
          const r = await t.api(path);
          if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text}`);
        });
        const st = storeTimes.get(q.name) as number[];
        const row = { query: q.name, api_p50_ms: median(api), api_p95_ms: p95(api), store_p50_ms: median(st), ratio: median(api) / median(st) };
        rows.push(row);
        say(`  ${q.name.padEnd(38)} ${row.api_p50_ms.toFixed(1).padStart(7)} / ${row.api_p95_ms.toFixed(1).padStart(7)} ms   ${row.store_p50_ms.toFixed(1).padStart(8)} ms   ${row.ratio.toFixed(2)}`);
      }

      const browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
      try {
        const signIn: number[] = [];
        const eventsPage: number[] = [];
        const bare: number[] = [];
        for (let i = 0; i < 5; i++) {
          // A fresh context each time: nothing cached, as on a first visit.
          const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
          const page = await context.newPage();
          let t0 = performance.now();
          await page.goto(`${t.url}/healthz`);
          bare.push(performance.now() - t0);
          t0 = performance.now();
          await page.goto(`${t.url}/console/events`);
          await page.getByLabel('User name').waitFor();
          signIn.push(performance.now() - t0);
          await page.getByLabel('User name').fill('admin');
          await page.getByLabel('Password').fill(password);
          await page.getByRole('button', { name: 'Sign in' }).click();
          await page.getByRole('heading', { name: 'Events', level: 1 }).waitFor();
          t0 = performance.now();
          await page.reload();
          await page.locator('table tbody tr').first().waitFor({ timeout: 30_000 });
          eventsPage.push(performance.now() - t0);
          await context.close();
        }
        say(`  browser: sign-in page cold p50 ${median(signIn).toFixed(0)} ms (max ${Math.max(...signIn).toFixed(0)}); Events page until rows p50 ${median(eventsPage).toFixed(0)} ms (max ${Math.max(...eventsPage).toFixed(0)}); bare /healthz ${median(bare).toFixed(0)} ms; ratio ${(median(eventsPage) / median(bare)).toFixed(1)}`);
        if (json) {
          process.stdout.write(JSON.stringify({
            events: N, queries: rows,
            browser: { sign_in_cold_p50_ms: Math.round(median(signIn)), events_page_p50_ms: Math.round(median(eventsPage)), events_page_max_ms: Math.round(Math.max(...eventsPage)), healthz_p50_ms: Math.round(median(bare)) },
          }) + '\n');
        }
      } finally {
        await browser.close();
      }
    } finally {
      await t.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/console: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
