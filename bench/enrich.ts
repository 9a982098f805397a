// npm run bench:enrich [-- --json] [--rounds N] [--concurrency N] [--batch-requests N] [--warmup-rounds N]
// 1. Enrich overhead: 100 observables × 5 relay modules (local servers answering after 10, 20,
//    30, 40 and 50 ms), CONCURRENCY (50) requests in flight to
//    POST /iroh/iroh-enrich/observe/observables, in two shapes:
//    - one observable a request (the analyst clicking through): the 100 observables, ROUNDS
//      times over, answer cache off;
//    - all 100 in each request (a pasted report), BATCH_REQUESTS requests of 100 observables.
//    The reference, in the same run and from the same client: the same bodies posted straight
//    to the five modules at once, so its latency is the slowest module's as this machine
//    delivers it. Overhead = threatlink − reference, at p50 and p99. A second reference, the
//    platform's share: the same bodies through a bare fan-out server (Fastify over TLS, the
//    server's certificate, undici to the same five modules, no auth, store or built-in modules),
//    what any Node server on this machine pays before doing anything of its own. Beside them, the CPU a
//    request costs the server, the bare server, the load client and the modules (warm runs only),
//    and the overhead floor a closed loop on this many cores sets at that cost.
// 2. Inspect: MB/s of inspect() on a 10 MB text corpus, beside ioc-extractor alone.
// The relay modules, the bare server and the load client run in child processes (this file with
// --relays, --bare or --client) so that none shares the server's event loop. The server is
// threatlink as users run it: the compiled CLI's `up` (`npm run bench:enrich` builds first), in
// a process of its own, not this file's code under tsx's loader.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { request, Agent } from 'node:https';
import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { availableParallelism, tmpdir } from 'node:os';
import Fastify from 'fastify';
import { Pool } from 'undici';
import { freePort } from '../test/helpers/process.js';
import { accessToken, https } from '../test/helpers/https.js';
import { paths } from '../src/exchange/config.js';
import { inspect } from '../src/observables/index.js';
import { processCpuMs, ownCpuMs } from './proc-cpu.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) || dflt : dflt;
};
const json = args.includes('--json');
const ROUNDS = opt('--rounds', 10);
const BATCH_REQUESTS = opt('--batch-requests', 300);
const CONCURRENCY = opt('--concurrency', 50);
const OBS = 100;
const WARMUP_ROUNDS = opt('--warmup-rounds', 10);
const LATENCIES = [10, 20, 30, 40, 50];
const say = (s: string) => { if (!json) process.stderr.write(`${s}\n`); };
const SELF = fileURLToPath(import.meta.url);

// ---- the relay modules (child) -----------------------------------------------------------

async function relays(): Promise<void> {
  const urls: string[] = [];
  for (const ms of LATENCIES) {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => setTimeout(() => {
        const obs = JSON.parse(body || '[]') as Array<{ type: string; value: string }>;
        const now = new Date().toISOString();
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ data: { verdicts: { count: obs.length, docs: obs.map((o) => ({ type: 'verdict', observable: o, disposition: 5, disposition_name: 'Unknown', valid_time: { start_time: now } })) } } }));
      }, ms));
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    urls.push(`http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`);
  }
  process.stdout.write(JSON.stringify(urls) + '\n');
}

// ---- the bare fan-out server (child) --------------------------------------------------------

interface BareJob { relays: string[]; cert: string; key: string }

/** The least a fan-out server does: take the body, post it to the five modules at once, answer
 * with what they said. Same framework, TLS and HTTP client as threatlink. */
async function bareServer(): Promise<void> {
  let input = '';
  for await (const c of process.stdin) input += c;
  const job = JSON.parse(input) as BareJob;
  const pools = job.relays.map((u) => new Pool(u, { keepAliveTimeout: 30_000 }));
  const app = Fastify({ https: { cert: job.cert, key: job.key } });
  app.post('/observe/observables', async (req) => {
    const body = JSON.stringify(req.body);
    const data = await Promise.all(pools.map(async (pool) => {
      const r = await pool.request({ path: '/observe/observables', method: 'POST', body, headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(15_000) });
      return JSON.parse(await r.body.text()) as unknown;
    }));
    return { data, errors: [] };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(JSON.stringify(`https://127.0.0.1:${(app.server.address() as import('node:net').AddressInfo).port}`) + '\n');
}

// ---- the load client (child) ---------------------------------------------------------------

/** One scenario's latencies, and the CPU each process spent on its share of the warm runs. */
interface Run { tl: number[]; ref: number[]; bare: number[]; clientCpuMs: number; relaysCpuMs: number; bareCpuMs: number; serverCpuMs: number }

interface ClientJob { url: string; ca: string; token: string; serverPid: number; relays: string[]; relaysPid: number; bare: string; barePid: number }

function post(url: string, body: string, o: { ca?: string; token?: string; agent: Agent | HttpAgent }): Promise<number> {
  const t0 = performance.now();
  const https = url.startsWith('https:');
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  return new Promise((resolve, reject) => {
    const req = (https ? request : httpRequest)(url, { method: 'POST', headers, agent: o.agent as Agent }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`${url}: ${res.statusCode} ${text.slice(0, 200)}`));
        const errs = (JSON.parse(text) as { errors?: unknown[] }).errors;
        if (errs && errs.length > 0) return reject(new Error(`${url}: module errors ${JSON.stringify(errs).slice(0, 300)}`));
        resolve(performance.now() - t0);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The 100 observables one a request, ROUNDS times; then BATCH_REQUESTS requests of all 100
 * (each request its own 100, so no module could answer from a cache of its own). */
function bodies(): { single: string[]; batch: string[] } {
  const single: string[] = [];
  for (let r = 0; r < ROUNDS; r++) for (let i = 0; i < OBS; i++) single.push(JSON.stringify([{ type: 'ip', value: `10.200.${r}.${i}` }]));
  const batch: string[] = [];
  for (let r = 0; r < BATCH_REQUESTS; r++) {
    const obs = [];
    for (let i = 0; i < OBS; i++) obs.push({ type: 'ip', value: `10.${(r >> 8) & 255}.${r & 255}.${i}` });
    batch.push(JSON.stringify(obs));
  }
  return { single, batch };
}

async function runLoad(f: (body: string) => Promise<number>, list: string[]): Promise<number[]> {
  const lat: number[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < list.length) lat.push(await f(list[next++]!));
  }));
  return lat;
}

async function client(): Promise<void> {
  let input = '';
  for await (const c of process.stdin) input += c;
  const job = JSON.parse(input) as ClientJob;
  const tlAgent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca: job.ca });
  const relayAgent = new HttpAgent({ keepAlive: true, maxSockets: CONCURRENCY * 2 });
  const bareAgent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca: job.ca });
  const viaBare = (b: string) => post(`${job.bare}/observe/observables`, b, { ca: job.ca, agent: bareAgent });
  const viaThreatlink = (b: string) => post(`${job.url}/iroh/iroh-enrich/observe/observables`, b, { ca: job.ca, token: job.token, agent: tlAgent });
  const direct = async (b: string) => {
    const t0 = performance.now();
    await Promise.all(job.relays.map((u) => post(`${u}/observe/observables`, b, { agent: relayAgent })));
    return performance.now() - t0;
  };
  const { single, batch } = bodies();
  const out: Record<string, Run> = {};
  for (const [name, list] of [['single', single], ['batch', batch]] as const) {
    // Warm all three paths (TLS sessions, JIT) before measuring, WARMUP_ROUNDS full rounds of
    // CONCURRENCY each, alternating so that load on the machine falls on all alike. One round
    // was not enough: V8 was still compiling the request path, and the first 500 measured
    // requests had a p99 near 900 ms with no warm-up and ~200 ms after one round, against
    // ~95 ms after more (session 9). A server runs warm; its first seconds are not its latency.
    for (let w = 0; w < WARMUP_ROUNDS; w++) {
      await runLoad(viaThreatlink, list.slice(0, CONCURRENCY));
      await runLoad(direct, list.slice(0, CONCURRENCY));
      await runLoad(viaBare, list.slice(0, CONCURRENCY));
    }
    const tl: number[] = [];
    const ref: number[] = [];
    const bare: number[] = [];
    // What the load client and the modules spend on the threatlink runs alone: CPU the server
    // cannot have on this machine, whatever it does.
    let clientCpuMs = 0;
    let relaysCpuMs = 0;
    // And what the bare server spends on its own runs: the platform's CPU a request, beside ours.
    let bareCpuMs = 0;
    // Both servers are measured on the same warm runs.
    let serverCpuMs = 0;
    const half = Math.ceil(list.length / 2);
    for (const part of [list.slice(0, half), list.slice(half)]) {
      const c0 = ownCpuMs();
      const r0 = processCpuMs(job.relaysPid);
      const s0 = processCpuMs(job.serverPid);
      tl.push(...(await runLoad(viaThreatlink, part)));
      clientCpuMs += ownCpuMs() - c0;
      relaysCpuMs += processCpuMs(job.relaysPid) - r0;
      serverCpuMs += processCpuMs(job.serverPid) - s0;
      ref.push(...(await runLoad(direct, part)));
      const b0 = processCpuMs(job.barePid);
      bare.push(...(await runLoad(viaBare, part)));
      bareCpuMs += processCpuMs(job.barePid) - b0;
    }
    out[name] = { tl, ref, bare, clientCpuMs, relaysCpuMs, bareCpuMs, serverCpuMs };
    process.stdout.write(JSON.stringify({ done: name }) + '\n');
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

// ---- the run --------------------------------------------------------------------------------

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** A child of this file in another mode; `line()` resolves with each line it prints, in turn. */
function child(mode: string, input?: string): { proc: ChildProcess; line: () => Promise<string> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', SELF, mode, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiting: Array<{ resolve: (s: string) => void; reject: (e: Error) => void }> = [];
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => {
    out += c;
    for (let i = out.indexOf('\n'); i >= 0; i = out.indexOf('\n')) {
      const l = out.slice(0, i);
      out = out.slice(i + 1);
      const w = waiting.shift();
      if (w) w.resolve(l);
      else lines.push(l);
    }
  });
  proc.on('exit', (code) => { for (const w of waiting.splice(0)) w.reject(new Error(`${mode} exited with ${code}`)); });
  if (input !== undefined) proc.stdin!.end(input);
  const line = () => {
    const l = lines.shift();
    return l !== undefined ? Promise.resolve(l) : new Promise<string>((resolve, reject) => waiting.push({ resolve, reject }));
  };
  return { proc, line };
}

function corpus(bytes: number): string {
  const dir = fileURLToPath(new URL('../test/fixtures/inspect/', import.meta.url));
  const texts = readdirSync(dir).filter((f) => f.endsWith('.txt') || f.endsWith('.csv')).map((f) => readFileSync(join(dir, f), 'utf8'));
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    // Vary the numbers so the text is not one block repeated (caches would flatter both sides).
    const t = texts[i % texts.length]!.replace(/\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\b/g, (_m, a, b, c) => `${a}.${b}.${c}.${i % 250}`);
    parts.push(t);
    n += Buffer.byteLength(t);
  }
  return parts.join('\n');
}

async function inspectFigures(): Promise<{ mb: number; ours: number; ioc: number }> {
  const { extractIOC } = await import('ioc-extractor');
  const text = corpus(10 * 1024 * 1024);
  const mb = Buffer.byteLength(text) / (1024 * 1024);
  const time = (f: () => unknown) => { const t0 = performance.now(); f(); return (performance.now() - t0) / 1000; };
  inspect(text.slice(0, 200_000));
  extractIOC(text.slice(0, 200_000));
  const ours = mb / time(() => inspect(text));
  const ioc = mb / time(() => extractIOC(text));
  return { mb, ours, ioc };
}

/** `threatlink up` from the compiled CLI on a data dir of its own, with an admin API client. */
async function startServer(): Promise<{ url: string; ca: string; token: string; dataDir: string; proc: ChildProcess; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tl-bench-enrich-'));
  const port = await freePort();
  const cli = fileURLToPath(new URL('../bin/threatlink.js', import.meta.url));
  const env = { ...process.env, THREATLINK_BOOTSTRAP_CLIENT_ID: 'bench-admin', THREATLINK_BOOTSTRAP_CLIENT_SECRET: 'bench-admin-secret', THREATLINK_LOG_LEVEL: 'warn' };
  const proc = spawn(process.execPath, [cli, 'up', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) await new Promise<void>((resolve) => { proc.once('exit', () => resolve()); proc.kill('SIGKILL'); });
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const on = (d: Buffer) => { out += d; if (/listening on/.test(out)) resolve(); };
      proc.stdout!.on('data', on);
      proc.stderr!.on('data', on);
      proc.once('exit', (code) => reject(new Error(`threatlink up exited ${code}: ${out}`)));
    });
    const url = `https://127.0.0.1:${port}`;
    const ca = readFileSync(join(dataDir, 'ca', 'ca.crt'), 'utf8');
    return { url, ca, token: await accessToken(url, ca, 'bench-admin', 'bench-admin-secret'), dataDir, proc, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function main(): Promise<void> {
  if (args[0] === '--relays') return relays();
  if (args[0] === '--client') return client();
  if (args[0] === '--bare') return bareServer();
  const server = await startServer();
  const r = child('--relays');
  let bareProc: ChildProcess | undefined;
  try {
    const t = server;
    const urls = JSON.parse(await r.line()) as string[];
    say(`5 relay modules at ${LATENCIES.join(', ')} ms; ${OBS} observables`);
    for (const [i, u] of urls.entries()) {
      const m = await https(`${t.url}/iroh/iroh-int/module_instance`, { method: 'POST', ca: t.ca, token: t.token, body: {
        kind: 'relay', name: `relay-${LATENCIES[i]}ms`, url: u, auth: { type: 'none' }, concurrency: CONCURRENCY, cache_ttl_seconds: 0,
      } });
      if (m.status !== 201) throw new Error(`module instance: ${m.status} ${m.text}`);
    }
    const tls = paths(t.dataDir).tlsDir;
    const b = child('--bare', JSON.stringify({ relays: urls, cert: readFileSync(join(tls, 'server.crt'), 'utf8'), key: readFileSync(join(tls, 'server.key'), 'utf8') } satisfies BareJob));
    bareProc = b.proc;
    const bareUrl = JSON.parse(await b.line()) as string;
    const c = child('--client', JSON.stringify({ url: t.url, ca: t.ca, token: t.token, serverPid: t.proc.pid!, relays: urls, relaysPid: r.proc.pid!, bare: bareUrl, barePid: b.proc.pid! } satisfies ClientJob));
    for (let n = 0; n < 2; n++) JSON.parse(await c.line());
    const runs = JSON.parse(await c.line()) as Record<'single' | 'batch', Run>;
    const cores = availableParallelism();
    const figures = (name: 'single' | 'batch') => {
      const { tl, ref, bare, clientCpuMs, relaysCpuMs, bareCpuMs, serverCpuMs } = runs[name];
      const bareServer = bareCpuMs / bare.length;
      const server = serverCpuMs / tl.length;
      const others = (clientCpuMs + relaysCpuMs) / tl.length;
      // Closed loop: CONCURRENCY requests always in flight, so a machine that completes at most
      // R requests a second makes each take at least CONCURRENCY / R. The bound with the server
      // as measured, and with a server that cost nothing at all.
      const floor = (ms: number) => +Math.max(0, (CONCURRENCY * ms) / cores - Math.max(...LATENCIES)).toFixed(1);
      const p50 = pct(tl, 50), p99 = pct(tl, 99), r50 = pct(ref, 50), r99 = pct(ref, 99), b50 = pct(bare, 50), b99 = pct(bare, 99);
      return {
        requests: tl.length, observables_per_request: name === 'single' ? 1 : OBS,
        p50_ms: +p50.toFixed(1), p99_ms: +p99.toFixed(1), ref_p50_ms: +r50.toFixed(1), ref_p99_ms: +r99.toFixed(1),
        overhead_p50_ms: +(p50 - r50).toFixed(1), overhead_p99_ms: +(p99 - r99).toFixed(1), ratio: +(r50 / p50).toFixed(2),
        bare_p50_ms: +b50.toFixed(1), bare_p99_ms: +b99.toFixed(1),
        bare_overhead_p50_ms: +(b50 - r50).toFixed(1), bare_overhead_p99_ms: +(b99 - r99).toFixed(1),
        server_cpu_ms_per_request: +server.toFixed(2),
        bare_server_cpu_ms_per_request: +bareServer.toFixed(2),
        client_cpu_ms_per_request: +(clientCpuMs / tl.length).toFixed(2),
        modules_cpu_ms_per_request: +(relaysCpuMs / tl.length).toFixed(2),
        cpu_bound_rps: Math.round((cores * 1000) / (server + others)),
        overhead_floor_ms: floor(server + others),
        overhead_floor_free_server_ms: floor(others),
        overhead_floor_bare_server_ms: floor(bareServer + others),
      };
    };
    const single = figures('single');
    const batch = figures('batch');
    for (const [label, f] of [['one observable a request', single], ['100 observables a request', batch]] as const) {
      say(`${label}: ${f.requests} requests, ${CONCURRENCY} in flight`);
      say(`  threatlink   p50 ${f.p50_ms} ms  p99 ${f.p99_ms} ms`);
      say(`  reference    p50 ${f.ref_p50_ms} ms  p99 ${f.ref_p99_ms} ms  (the five modules asked directly)`);
      say(`  overhead     p50 ${f.overhead_p50_ms} ms  p99 ${f.overhead_p99_ms} ms  (target p99 ≤ 20 ms); ratio ${f.ratio}`);
      say(`  bare server  p50 ${f.bare_p50_ms} ms  p99 ${f.bare_p99_ms} ms; overhead p50 ${f.bare_overhead_p50_ms} ms  p99 ${f.bare_overhead_p99_ms} ms  (Fastify over TLS + undici to the five, nothing else: the platform's share)`);
      say(`  server CPU   ${f.server_cpu_ms_per_request} ms a request (the bare server ${f.bare_server_cpu_ms_per_request} ms); load client ${f.client_cpu_ms_per_request} ms, modules ${f.modules_cpu_ms_per_request} ms`);
      say(`  CPU bound    ${f.cpu_bound_rps} requests/s on ${cores} cores: in steady state the mean overhead is ≥ ${f.overhead_floor_ms} ms with ${CONCURRENCY} in flight (≥ ${f.overhead_floor_bare_server_ms} ms for the bare server, ≥ ${f.overhead_floor_free_server_ms} ms were the server free; /proc counts CPU in 10 ms ticks)`);
    }
    say('inspect on a 10 MB corpus…');
    const ins = await inspectFigures();
    say(`inspect      ${ins.ours.toFixed(1)} MB/s; ioc-extractor alone ${ins.ioc.toFixed(1)} MB/s; ratio ${(ins.ours / ins.ioc).toFixed(2)}`);
    if (json) {
      process.stdout.write(JSON.stringify({
        bench: 'enrich', concurrency: CONCURRENCY, observables: OBS, modules: LATENCIES.length, slowest_module_ms: Math.max(...LATENCIES),
        ...single, batch,
        inspect_mb_s: +ins.ours.toFixed(1), ioc_extractor_mb_s: +ins.ioc.toFixed(1), inspect_ratio: +(ins.ours / ins.ioc).toFixed(2),
      }) + '\n');
    }
  } finally {
    bareProc?.kill();
    r.proc.kill();
    await server.stop();
  }
}

await main();
