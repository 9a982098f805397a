// npm run bench:ingest [-- --json] [-- --events N]
// Synthetic ~800-byte Suricata EVE alerts → eve source → connector → TLS WebSocket → exchange →
// SQLite commit, timed from the write of the first event to the ack of the last. In the same
// run, the ceiling: the same events inserted straight into SQLite in batches (same schema and
// indexes), and the ratio between the two.
import { mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openSqliteStores } from '../src/exchange/store/sqlite/index.js';
import { mapEve } from '../src/connector/sources/map-eve.js';
import { validateEvent } from '../src/events/validate.js';
import { demoAlert } from '../src/connector/demo/simulator.js';
import type { CommitItem } from '../src/exchange/store/types.js';
import { freePort } from '../test/helpers/process.js';
import { accessToken, registrationTokenAt } from '../test/helpers/https.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const N = Number(args[args.indexOf('--events') + 1] ?? 0) || 200_000;
// The compiled CLI, as users run it (`npm run bench:ingest` builds first): running the children
// through tsx would add its loader's ~50 MB to every RSS figure.
const CLI = fileURLToPath(new URL('../bin/threatlink.js', import.meta.url));
const say = (s: string) => { if (!json) process.stderr.write(`${s}\n`); };

function run(argv: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<ChildProcess> {
  const prof = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : [];
  const child = spawn(process.execPath, [...prof, CLI, ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const on = (d: Buffer) => { out += d; if (ready.test(out)) resolve(child); };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.on('exit', (c) => reject(new Error(`exited ${c}: ${out}`)));
  });
}

function rssMb(pid: number): number {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmHWM:\s+(\d+) kB/.exec(s);
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

async function localJson(port: number): Promise<any> {
  const r = await fetch(`http://127.0.0.1:${port}/v1/contexts/default`);
  return r.json();
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/** Events of about 800 bytes as EVE lines; `t` is stamped at write time. */
function lines(n: number, start: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const rec = demoAlert();
    rec.flow_id = start + i;
    rec.payload_printable = 'GET /index.html HTTP/1.1\r\nHost: bench.example\r\nUser-Agent: bench\r\n'.repeat(2);
    out.push(JSON.stringify(rec));
  }
  return out;
}

async function ceiling(events: string[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'tl-ceiling-'));
  const stores = openSqliteStores(join(dir, 'exchange.db'));
  try {
    const org = await stores.orgs.create('bench');
    const items: CommitItem[] = events.map((l, i) => {
      const ev = mapEve(JSON.parse(l) as Record<string, unknown>, `bench:${i}`)!;
      const v = validateEvent(ev);
      if (!v.ok) throw new Error(v.reason);
      return { org_id: org.id, device_id: 'bench-device', event: v.event };
    });
    const t0 = performance.now();
    for (let i = 0; i < items.length; i += 5000) await stores.events.commit(items.slice(i, i + 5000));
    // The lookup index and unique-event counters are the store's work too: a read makes the
    // indexer catch up, so the ceiling includes them as the end-to-end run does.
    await stores.events.unique(org.id, { limit: 1 });
    return items.length / ((performance.now() - t0) / 1000);
  } finally {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'tl-bench-'));
  const port = await freePort();
  const cport = await freePort();
  const env = { THREATLINK_BOOTSTRAP_CLIENT_ID: 'bench-admin', THREATLINK_BOOTSTRAP_CLIENT_SECRET: 'bench-admin-secret', THREATLINK_LOG_LEVEL: 'warn' };
  say(`bench:ingest — ${N} events; exchange on :${port}, connector API on :${cport}`);
  const ex = await run(['up', '--data-dir', join(dir, 'ex'), '--listen', `127.0.0.1:${port}`], env, /listening on/);
  const children: ChildProcess[] = [ex];
  try {
    const ca = readFileSync(join(dir, 'ex', 'ca', 'ca.crt'), 'utf8');
    const base = `https://127.0.0.1:${port}`;
    const regToken = await registrationTokenAt(base, ca, await accessToken(base, ca, 'bench-admin', 'bench-admin-secret'));
    const eve = join(dir, 'eve.json');
    writeFileSync(eve, '');
    const props = join(dir, 'connector.properties');
    writeFileSync(props, [`connector_port=${cport}`, `connector_fqdn=127.0.0.1:${port}`, `data_dir=${join(dir, 'conn')}`, 'hostname=bench', 'source.ids.type=eve', `source.ids.path=${eve}`, ''].join('\n'));
    const conn = await run(['connector', '--config', props, '--token', regToken], {}, /local API/);
    children.push(conn);
    for (let i = 0; i < 200; i++) {
      const s = await localJson(cport);
      if (s.uplink?.state === 'connected') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    say('generating events…');
    const all = lines(N, 0);
    const bytes = all.reduce((a, l) => a + l.length + 1, 0);
    say(`average event ${Math.round(bytes / N)} bytes; writing and waiting for acks…`);
    const fd = openSync(eve, 'a');
    const sentAt: number[] = [];
    const t0 = performance.now();
    const chunk = 5000;
    for (let i = 0; i < N; i += chunk) {
      const part = all.slice(i, i + chunk);
      writeSync(fd, part.join('\n') + '\n');
      sentAt.push(performance.now());
      // Spread the writes as a busy sensor would, rather than one burst.
      await new Promise((r) => setImmediate(r));
    }
    closeSync(fd);
    const ackTimes: Array<{ acked: number; at: number }> = [];
    let last = 0;
    for (;;) {
      const s = await localJson(cport);
      const acked = s.counters.events_acked as number;
      if (acked !== last) { ackTimes.push({ acked, at: performance.now() }); last = acked; }
      if (acked >= N) break;
      if (performance.now() - t0 > 600_000) throw new Error(`timed out: ${acked} of ${N} acked`);
      await new Promise((r) => setTimeout(r, 10));
      if (!json && ackTimes.length % 50 === 0) process.stderr.write(`\r  acked ${acked}/${N}`);
    }
    const elapsed = (performance.now() - t0) / 1000;
    const eps = N / elapsed;
    // Latency per chunk: from its write to the first poll that saw all of it acked.
    const lat: number[] = [];
    for (let c = 0; c < sentAt.length; c++) {
      const need = Math.min(N, (c + 1) * chunk);
      const seen = ackTimes.find((a) => a.acked >= need);
      if (seen) lat.push(seen.at - sentAt[c]!);
    }
    lat.sort((a, b) => a - b);
    const connRss = rssMb(conn.pid!);
    const exRss = rssMb(ex.pid!);
    if (!json) process.stderr.write('\n');
    say('measuring the ceiling: the same events straight into SQLite…');
    const ceil = await ceiling(all.slice(0, Math.min(N, 100_000)));
    const out = {
      bench: 'ingest', events: N, event_bytes: Math.round(bytes / N), seconds: Number(elapsed.toFixed(2)),
      eps: Math.round(eps), ceiling_eps: Math.round(ceil), ratio: Number((eps / ceil).toFixed(2)),
      p50_ms: Math.round(percentile(lat, 0.5)), p99_ms: Math.round(percentile(lat, 0.99)),
      connector_rss_mb: connRss, exchange_rss_mb: exRss, store: 'sqlite', bus: 'memory',
    };
    if (json) process.stdout.write(`${JSON.stringify(out)}\n`);
    else {
      process.stdout.write(`end to end   ${out.eps} events/s (${N} events in ${out.seconds} s)\n`);
      process.stdout.write(`ceiling      ${out.ceiling_eps} events/s (the same events straight into the SQLite store: commits of 5000 + indexing)\n`);
      process.stdout.write(`ratio        ${out.ratio}\n`);
      process.stdout.write(`latency      p50 ${out.p50_ms} ms, p99 ${out.p99_ms} ms (write of a 5000-event chunk → its last ack)\n`);
      process.stdout.write(`peak RSS     connector ${connRss} MB, exchange ${exRss} MB\n`);
    }
  } finally {
    for (const c of children) c.kill(process.env.BENCH_PROFILE ? 'SIGTERM' : 'SIGKILL');
    if (process.env.BENCH_PROFILE) await new Promise((r) => setTimeout(r, 3000));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench:ingest failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
