// npm run bench:ingest [-- --json] [-- --events N] [-- --store postgres[://…] --bus nats[://…] --nodes 2]
// Synthetic ~800-byte Suricata EVE alerts → eve source → connector → TLS WebSocket → exchange →
// store, timed from the write of the first event until the last is stored. In the same run, the
// ceiling: the same events written straight into the same store (SQLite: commits of 5,000 with
// the indexer; PostgreSQL: a raw COPY into the same table), and the ratio between the two.
// With a bus a device is acked once JetStream holds its batch, before the store has it: both
// moments are reported (`acked_eps`, `eps` = stored). `--nodes 2`: two exchange nodes on the
// same store and bus, a connector on each with half the events. Also the CPU an event costs each
// process (connector, exchange, this file writing the EVE lines) and the rate that cost allows
// with every core busy (`cpu_bound_eps`).
import { mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync, readFileSync, cpSync } from 'node:fs';
import { tmpdir, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { demoAlert } from '../src/connector/demo/simulator.js';
import { freePort } from '../test/helpers/process.js';
import { PG_URL, NATS_URL } from '../test/helpers/pg.js';
import { sqliteCeiling, postgresCopyCeiling, pgEventCount } from './ingest/ceilings.js';
import { dropBusStream, dropSchema } from './ingest/cleanup.js';
import { accessToken, registrationTokenAt } from '../test/helpers/https.js';
import { processCpuMs, ownCpuMs } from './proc-cpu.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const opt = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const N = Number(opt('--events') ?? 0) || 200_000;
const NODES = Number(opt('--nodes') ?? 1);
const tag = randomBytes(4).toString('hex');
// `postgres` / `nats` alone: the local services, in a schema and stream of this run's own.
const storeArg = opt('--store') ?? 'sqlite';
const busArg = opt('--bus') ?? 'memory';
const STORE = storeArg === 'postgres' ? `${PG_URL}?schema=bench_${tag}` : storeArg;
const BUS = busArg === 'nats' ? `${NATS_URL}?prefix=bench_${tag}` : busArg;
const ownSchema = storeArg === 'postgres';
const ownStream = busArg === 'nats';
if (!(NODES === 1 || NODES === 2)) throw new Error('--nodes: 1 or 2');
if (NODES > 1 && STORE === 'sqlite') throw new Error('--nodes 2 needs --store postgres (nodes share one database)');
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

/** Kills the children and waits for them to be gone (profiling: SIGTERM, so they write it). */
async function stopAll(children: ChildProcess[]): Promise<void> {
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  await Promise.all(running.map((c) => new Promise<void>((resolve) => {
    c.once('exit', () => resolve());
    c.kill(process.env.BENCH_PROFILE ? 'SIGTERM' : 'SIGKILL');
  })));
}

interface Sensor { port: number; eve: string; proc: ChildProcess; share: string[]; chunks: Buffer[]; sentAt: number[] }

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'tl-bench-'));
  const env = { THREATLINK_BOOTSTRAP_CLIENT_ID: 'bench-admin', THREATLINK_BOOTSTRAP_CLIENT_SECRET: 'bench-admin-secret', THREATLINK_LOG_LEVEL: 'warn' };
  const ports: number[] = [];
  for (let i = 0; i < NODES; i++) ports.push(await freePort());
  say(`bench:ingest — ${N} events; store ${STORE === 'sqlite' ? 'sqlite' : 'postgres'}, bus ${BUS === 'memory' ? 'memory' : 'nats'}, ${NODES} node(s) on :${ports.join(', :')}`);
  const children: ChildProcess[] = [];
  const nodes: ChildProcess[] = [];
  try {
    for (const [i, port] of ports.entries()) {
      const d = join(dir, `ex${i}`);
      // Nodes behind one name share the CA.
      if (i > 0) cpSync(join(dir, 'ex0', 'ca'), join(d, 'ca'), { recursive: true });
      const ex = await run(['up', '--data-dir', d, '--listen', `127.0.0.1:${port}`, '--store', STORE, '--bus', BUS], env, /listening on/);
      children.push(ex);
      nodes.push(ex);
    }
    const ca = readFileSync(join(dir, 'ex0', 'ca', 'ca.crt'), 'utf8');
    const base = `https://127.0.0.1:${ports[0]}`;
    const regToken = await registrationTokenAt(base, ca, await accessToken(base, ca, 'bench-admin', 'bench-admin-secret'), { expiry: 3600, uses: NODES });
    say('generating events…');
    const all = lines(N, 0);
    const bytes = all.reduce((a, l) => a + l.length + 1, 0);
    // A connector on each node, each with its share of the events.
    const sensors: Sensor[] = [];
    for (const [i, port] of ports.entries()) {
      const cport = await freePort();
      const eve = join(dir, `eve${i}.json`);
      writeFileSync(eve, '');
      const props = join(dir, `connector${i}.properties`);
      writeFileSync(props, [`connector_port=${cport}`, `connector_fqdn=127.0.0.1:${port}`, `data_dir=${join(dir, `conn${i}`)}`, `hostname=bench${i}`, 'source.ids.type=eve', `source.ids.path=${eve}`, ''].join('\n'));
      // In the environment, not on the command line, where every local user could read it.
      const proc = await run(['connector', '--config', props], { THREATLINK_CONNECTOR_TOKEN: regToken }, /local API/);
      children.push(proc);
      const per = Math.ceil(N / NODES);
      sensors.push({ port: cport, eve, proc, share: all.slice(i * per, (i + 1) * per), chunks: [], sentAt: [] });
    }
    for (const s of sensors) {
      for (let i = 0; i < 200; i++) {
        if ((await localJson(s.port)).uplink?.state === 'connected') break;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    say(`average event ${Math.round(bytes / N)} bytes; writing and waiting for acks…`);
    const chunk = 5000;
    // Joined before the clock starts: formatting EVE is the sensor's work, not the system's.
    for (const s of sensors) for (let i = 0; i < s.share.length; i += chunk) s.chunks.push(Buffer.from(s.share.slice(i, i + chunk).join('\n') + '\n'));
    // CPU of each part over the timed span: what an event costs the machine, wherever it is spent.
    const cpuNow = () => ({ connectors: sensors.reduce((a, s) => a + processCpuMs(s.proc.pid!), 0), exchanges: nodes.reduce((a, n) => a + processCpuMs(n.pid!), 0), bench: ownCpuMs() });
    const cpu0 = cpuNow();
    const t0 = performance.now();
    const writers = sensors.map(async (s) => {
      const fd = openSync(s.eve, 'a');
      for (const buf of s.chunks) {
        writeSync(fd, buf);
        s.sentAt.push(performance.now());
        // Spread the writes as a busy sensor would, rather than one burst.
        await new Promise((r) => setImmediate(r));
      }
      closeSync(fd);
    });
    await Promise.all(writers);
    // Per sensor, when its acked count passed each value.
    const ackTimes: Array<Array<{ acked: number; at: number }>> = sensors.map(() => []);
    let ackedAt = 0;
    for (let polls = 0; ; polls++) {
      let total = 0;
      for (const [i, s] of sensors.entries()) {
        const acked = (await localJson(s.port)).counters.events_acked as number;
        const t = ackTimes[i]!;
        if (acked !== (t[t.length - 1]?.acked ?? 0)) t.push({ acked, at: performance.now() });
        total += acked;
      }
      if (total >= N) { ackedAt = performance.now(); break; }
      if (performance.now() - t0 > 600_000) throw new Error(`timed out: ${total} of ${N} acked`);
      // Every 25 ms, not faster: the polls share the two cores with what they measure (every
      // 10 ms took a third of this process's CPU), and 25 ms is under 1 % of a run's seconds.
      await new Promise((r) => setTimeout(r, 25));
      if (!json && polls % 20 === 0) process.stderr.write(`\r  acked ${total}/${N}`);
    }
    // Stored: on SQLite the ack is the commit; with a bus the writers may still be at it.
    let storedAt = ackedAt;
    if (STORE !== 'sqlite') {
      for (;;) {
        const n = await pgEventCount(STORE);
        if (n >= N) { storedAt = performance.now(); break; }
        if (performance.now() - t0 > 600_000) throw new Error(`timed out: ${n} of ${N} stored`);
        if (!json) process.stderr.write(`\r  stored ${n}/${N}   `);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const cpu1 = cpuNow();
    // Work the exchange defers past the ack (the lookup indexer, the incident engine) is part of
    // an event's cost too: count its CPU until it goes quiet, under 2 % of a core for a second.
    // A shorter or laxer window read a backlog worked off in short slices as quiet (the incident
    // engine works 10 ms in 260 while ingest floods the loop) and left ~13 µs an event out.
    let exchangeCpuEnd = cpu1.exchanges;
    const tailStart = performance.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 1000));
      const now = nodes.reduce((a, n) => a + processCpuMs(n.pid!), 0);
      // The profiler's own sampling costs tens of ms a second: it would never look quiet.
      const quiet = now - exchangeCpuEnd < (process.env.BENCH_PROFILE ? 80 : 20);
      exchangeCpuEnd = now;
      if (quiet) break;
      if (performance.now() - tailStart > 300_000) throw new Error('the exchange did not go quiet within 300 s of the last ack');
      if (!json) process.stderr.write(`\r  the exchange is still working (indexer, incident engine): ${Math.round(exchangeCpuEnd - cpu1.exchanges)} ms of CPU since the last ack`);
    }
    const tailSeconds = (performance.now() - tailStart) / 1000 - 1;
    const elapsed = (storedAt - t0) / 1000;
    const eps = N / elapsed;
    // The rate between 10 % and 90 % acked: the run without its cold start (two fresh processes
    // compiling their hot paths) and its end, for telling a change of pace from a change of
    // start-up. Acks are told per sensor; with one, its own times.
    const ackAt = (n: number) => (ackTimes[0]!.find((x) => x.acked >= n)?.at ?? NaN) - t0;
    const steadyEps = NODES === 1 ? (0.8 * N) / ((ackAt(0.9 * N) - ackAt(0.1 * N)) / 1000) : null;
    // Latency per chunk: from its write to the first poll that saw all of it acked.
    const lat: number[] = [];
    sensors.forEach((s, i) => {
      for (let c = 0; c < s.sentAt.length; c++) {
        const need = Math.min(s.share.length, (c + 1) * chunk);
        const seen = ackTimes[i]!.find((a) => a.acked >= need);
        if (seen) lat.push(seen.at - s.sentAt[c]!);
      }
    });
    lat.sort((a, b) => a - b);
    const connRss = Math.max(...sensors.map((s) => rssMb(s.proc.pid!)));
    const exRss = Math.max(...nodes.map((n) => rssMb(n.pid!)));
    if (!json) process.stderr.write('\n');
    // The ceiling runs alone: the server keeps working after the last ack (the indexer, the
    // incident engine's backlog), and a reference measured beside that would read low.
    await stopAll(children);
    const sample = all.slice(0, Math.min(N, 100_000));
    say(STORE === 'sqlite' ? 'measuring the ceiling: the same events straight into SQLite…' : 'measuring the ceiling: the same events by raw COPY into PostgreSQL…');
    // With PostgreSQL most of the ceiling's work is the server's, so its CPU is told for SQLite only.
    const sqliteCeil = STORE === 'sqlite' ? await sqliteCeiling(sample) : null;
    const ceil = sqliteCeil ? sqliteCeil.eps : await postgresCopyCeiling(sample, STORE);
    const perEvent = (ms: number, n = N) => Number(((ms * 1000) / n).toFixed(1));
    const cpuUs = {
      connector: perEvent(cpu1.connectors - cpu0.connectors),
      exchange: perEvent(exchangeCpuEnd - cpu0.exchanges),
      exchangeAfterAck: perEvent(exchangeCpuEnd - cpu1.exchanges),
      sensor: perEvent(cpu1.bench - cpu0.bench),
    };
    const cores = availableParallelism();
    const cpuBoundEps = Math.round((cores * 1e6) / (cpuUs.connector + cpuUs.exchange + cpuUs.sensor));
    const out = {
      bench: 'ingest', events: N, event_bytes: Math.round(bytes / N), seconds: Number(elapsed.toFixed(2)),
      eps: Math.round(eps), acked_eps: Math.round(N / ((ackedAt - t0) / 1000)), ceiling_eps: Math.round(ceil), ratio: Number((eps / ceil).toFixed(2)),
      steady_eps: steadyEps === null ? null : Math.round(steadyEps), first_ack_ms: NODES === 1 ? Math.round(ackAt(1)) : null,
      p50_ms: Math.round(percentile(lat, 0.5)), p99_ms: Math.round(percentile(lat, 0.99)),
      connector_rss_mb: connRss, exchange_rss_mb: exRss,
      connector_cpu_us_per_event: cpuUs.connector, exchange_cpu_us_per_event: cpuUs.exchange, sensor_cpu_us_per_event: cpuUs.sensor,
      exchange_after_ack_cpu_us_per_event: cpuUs.exchangeAfterAck, exchange_after_ack_s: Number(Math.max(0, tailSeconds).toFixed(1)),
      ceiling_cpu_us_per_event: sqliteCeil ? Number(sqliteCeil.cpuUsPerEvent.toFixed(1)) : null,
      cores, cpu_bound_eps: cpuBoundEps,
      store: STORE === 'sqlite' ? 'sqlite' : 'postgres', bus: BUS === 'memory' ? 'memory' : 'nats', nodes: NODES,
    };
    if (json) process.stdout.write(`${JSON.stringify(out)}\n`);
    else {
      const where = STORE === 'sqlite' ? 'the SQLite store: commits of 5000 + indexing' : 'PostgreSQL by raw COPY into the same events table';
      process.stdout.write(`end to end   ${out.eps} events/s stored (${N} events in ${out.seconds} s; acked at ${out.acked_eps} events/s)\n`);
      if (out.steady_eps !== null) process.stdout.write(`steady       ${out.steady_eps} events/s between 10 % and 90 % acked (first ack after ${out.first_ack_ms} ms)\n`);
      process.stdout.write(`ceiling      ${out.ceiling_eps} events/s (the same events straight into ${where})\n`);
      process.stdout.write(`ratio        ${out.ratio}\n`);
      process.stdout.write(`latency      p50 ${out.p50_ms} ms, p99 ${out.p99_ms} ms (write of a 5000-event chunk → its last ack)\n`);
      process.stdout.write(`peak RSS     connector ${connRss} MB, exchange ${exRss} MB${NODES > 1 ? ' (largest of each)' : ''}\n`);
      process.stdout.write(`CPU an event connector ${cpuUs.connector} µs, exchange ${cpuUs.exchange} µs, the sensor writing EVE ${cpuUs.sensor} µs; of the exchange's, ${cpuUs.exchangeAfterAck} µs in the ${out.exchange_after_ack_s} s it worked on after the last ack${out.ceiling_cpu_us_per_event !== null ? ` (the ceiling's store alone: ${out.ceiling_cpu_us_per_event} µs)` : ''}\n`);
      const uncounted = STORE === 'sqlite' ? '' : ' (PostgreSQL\'s and NATS\'s own CPU not counted)';
      process.stdout.write(`CPU bound    ${cpuBoundEps} events/s: what ${cores} cores give at that cost, every core busy with nothing else${uncounted}\n`);
    }
  } finally {
    await stopAll(children);
    rmSync(dir, { recursive: true, force: true });
    if (ownStream) await dropBusStream(BUS).catch(() => {});
    if (ownSchema) await dropSchema(STORE).catch(() => {});
  }
}

main().catch((e) => {
  process.stderr.write(`bench:ingest failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
