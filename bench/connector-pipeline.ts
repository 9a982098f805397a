// node --import tsx bench/connector-pipeline.ts [--json] [--events N] [--runs R]
// The connector alone: N synthetic ~800-byte Suricata EVE alerts appended to eve.json → a real
// connector process (eve source → spool → uplink) → TLS WebSocket with a client certificate →
// a tiny exchange stand-in (its own process) that acks every batch at once after parsing only
// the frame's header. Timed from the write of the first line to the ack of the last, as
// bench:ingest does (the connector's local API is polled every 10 ms, as there). In the same
// run, the reference: the EveSource alone with a sink that does nothing (read, parse, map,
// validate, checkpoint), and the ratio between the two. Peak RSS is each process's VmHWM.
import { mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync, readFileSync, statSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/helpers/process.js';
import { createServer as httpsServer } from 'node:https';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const json = args.includes('--json');
const N = Number(arg('--events') ?? 0) || 100_000;
const RUNS = Number(arg('--runs') ?? 0) || 1;
const role = arg('--role');
const SELF = fileURLToPath(import.meta.url);
const CLI = fileURLToPath(new URL('../src/cli/run.ts', import.meta.url));
const say = (s: string) => { if (!json) process.stderr.write(`${s}\n`); };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid: number | 'self'): number {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmHWM:\s+(\d+) kB/.exec(s);
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

/** User + system CPU seconds the process has used (from /proc, in clock ticks of 10 ms). */
function cpuSeconds(pid: number | 'self'): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / 100;
}

function spawnReady(argv: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, THREATLINK_LOG_LEVEL: 'warn' } });
  let out = '';
  return new Promise((resolve, reject) => {
    let done = false;
    const on = (d: Buffer) => {
      out += d;
      const m = ready.exec(out);
      if (m && !done) { done = true; resolve({ child, match: m, output: () => out }); }
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.on('exit', (c) => { if (!done) reject(new Error(`${argv.join(' ')} exited ${c}: ${out}`)); });
  });
}

// ---- role: the exchange stand-in ------------------------------------------------------------

async function serverRole(): Promise<void> {
  const { WebSocketServer } = await import('ws');
  const { ExchangeCa } = await import('../src/exchange/pki/ca.js');
  const ca = await ExchangeCa.loadOrCreate(arg('--ca')!);
  const { certPem, keyPem } = await ca.issueServerCert(['127.0.0.1']);
  const server = httpsServer({ cert: certPem, key: keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true });
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 64 << 20 });
  const marker = Buffer.from('{"event_id":');
  const eventsKey = Buffer.from('"events":[');
  wss.on('connection', (ws) => {
    ws.send(JSON.stringify({ type: 'hello', protocol: 1, device_id: 'bench-device', cloud_events: true, heartbeat_interval: 30, max_batch_events: 5000 }));
    ws.on('message', (data: Buffer) => {
      // Only the header is parsed; the events are counted by their first key.
      const at = data.indexOf(eventsKey);
      if (at < 0) return; // heartbeat, control_ack
      const head = JSON.parse(`${data.toString('utf8', 0, at)}"events":[]}`) as { type: string; seq: number };
      if (head.type !== 'batch') return;
      let n = 0;
      for (let i = data.indexOf(marker, at); i >= 0; i = data.indexOf(marker, i + marker.length)) n++;
      ws.send(`{"type":"ack","seq":${head.seq},"accepted":${n},"duplicates":0,"rejected":[]}`);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    process.stdout.write(`listening ${typeof a === 'object' && a ? a.port : 0}\n`);
  });
}

// ---- role: the reference (EveSource, do-nothing sink) ---------------------------------------

async function referenceRole(): Promise<void> {
  const { EveSource } = await import('../src/connector/sources/eve.js');
  const file = arg('--file')!;
  const want = Number(arg('--lines'));
  let got = 0;
  let t0 = 0;
  let finish: () => void = () => {};
  const done = new Promise<void>((r) => (finish = r));
  const nop = () => {};
  const src = new EveSource(
    { name: 'ref', type: 'eve', path: file },
    {
      write: async (events) => {
        got += events.length;
        if (got >= want) finish();
      },
      reject: nop,
      log: { info: nop, warn: nop, error: nop },
    },
    arg('--cp')!,
    { watch: false },
  );
  const cpu0 = cpuSeconds('self');
  t0 = performance.now();
  await src.start();
  await done;
  const secs = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds('self') - cpu0;
  await src.stop();
  process.stdout.write(`${JSON.stringify({ lines_per_s: Math.round(want / secs), seconds: secs, rss_mb: rssMb('self'), cpu_us_per_line: Math.round((cpu * 1e6) / want) })}\n`);
  process.exit(0);
}

// ---- the orchestrator -----------------------------------------------------------------------

/** ~800-byte EVE alerts, as bench:ingest makes them. */
async function eveLines(n: number): Promise<string> {
  const { demoAlert } = await import('../src/connector/demo/simulator.js');
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const rec = demoAlert();
    rec.flow_id = i;
    rec.payload_printable = 'GET /index.html HTTP/1.1\r\nHost: bench.example\r\nUser-Agent: bench\r\n'.repeat(2);
    out.push(JSON.stringify(rec));
  }
  return out.join('\n') + '\n';
}

async function local(port: number): Promise<any> {
  const r = await fetch(`http://127.0.0.1:${port}/v1/contexts/default`);
  return r.json();
}

interface RunResult { lines_per_s: number; seconds: number; rss_mb: number; idle_rss_mb?: number; cpu_us_per_line: number }

async function connectorRun(dir: string, text: string, serverPort: number, caPem: string, device: { key: string; cert: string }): Promise<RunResult> {
  const data = join(dir, 'conn');
  mkdirSync(data, { recursive: true, mode: 0o700 });
  const eve = join(dir, 'eve.json');
  writeFileSync(eve, '');
  const url = `wss://127.0.0.1:${serverPort}`;
  writeFileSync(join(data, 'device.key'), device.key, { mode: 0o600 });
  writeFileSync(join(data, 'device.crt'), device.cert);
  writeFileSync(join(data, 'connectorCA.pem'), caPem);
  writeFileSync(join(data, 'registration.json'), JSON.stringify({
    device_id: 'bench-device', org_id: 'bench-org', org_name: 'bench', exchange: `127.0.0.1:${serverPort}`, region: 'local',
    endpoints: { api: `https://127.0.0.1:${serverPort}`, est: `https://127.0.0.1:${serverPort}/.well-known/est`, eventing: `${url}/eventing`, mx: url },
    enrolled_at: new Date().toISOString(), cert_not_after: new Date(Date.now() + 365 * 86400_000).toISOString(),
  }));
  const cport = await freePort();
  const props = join(dir, 'connector.properties');
  writeFileSync(props, [`connector_port=${cport}`, `connector_fqdn=127.0.0.1:${serverPort}`, `data_dir=${data}`, 'hostname=bench', 'source.ids.type=eve', `source.ids.path=${eve}`, ''].join('\n'));
  const prof = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : [];
  // Extra node flags for the connector process only, e.g. BENCH_NODE_ARGS="--trace-gc".
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const { child, output } = await spawnReady([...prof, ...extra, CLI, 'connector', '--config', props], /local API/);
  try {
    for (let i = 0; ; i++) {
      const s = await local(cport);
      if (s.uplink?.state === 'connected') break;
      if (i > 400) throw new Error(`connector never connected: ${JSON.stringify(s.uplink)}\n${output()}`);
      await sleep(25);
    }
    const buf = Buffer.from(text);
    const fd = openSync(eve, 'a');
    const idleRss = rssMb(child.pid!);
    const cpu0 = cpuSeconds(child.pid!);
    const t0 = performance.now();
    // 5000 lines at a time, yielding in between, as bench:ingest writes.
    const chunk = Math.ceil(buf.length / Math.ceil(N / 5000));
    for (let at = 0; at < buf.length;) {
      let end = Math.min(buf.length, at + chunk);
      if (end < buf.length) end = buf.indexOf(10, end) + 1;
      writeSync(fd, buf, at, end - at);
      at = end;
      await new Promise((r) => setImmediate(r));
    }
    closeSync(fd);
    for (;;) {
      const s = await local(cport);
      if ((s.counters.events_acked as number) >= N) break;
      if (performance.now() - t0 > 600_000) throw new Error(`timed out: ${s.counters.events_acked} of ${N} acked`);
      await sleep(10);
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(child.pid!) - cpu0;
    return { lines_per_s: Math.round(N / seconds), seconds: Number(seconds.toFixed(2)), rss_mb: rssMb(child.pid!), idle_rss_mb: idleRss, cpu_us_per_line: Math.round((cpu * 1e6) / N) };
  } finally {
    child.kill(process.env.BENCH_PROFILE ? 'SIGTERM' : 'SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // The connector's stdout and stderr (with BENCH_NODE_ARGS=--trace-gc, its GC trace).
    if (process.env.BENCH_CONNECTOR_OUT) writeFileSync(process.env.BENCH_CONNECTOR_OUT, output());
  }
}

async function referenceRun(dir: string, file: string): Promise<RunResult> {
  const cp = join(dir, 'ref-cp');
  rmSync(cp, { recursive: true, force: true });
  const { match } = await spawnReady([SELF, '--role', 'reference', '--file', file, '--lines', String(N), '--cp', cp], /^(\{.*\})$/m);
  return JSON.parse(match[1]!) as RunResult;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tl-pipe-'));
  const children: ChildProcess[] = [];
  try {
    say(`bench connector-pipeline — ${N} events, ${RUNS} run(s)`);
    const text = await eveLines(N);
    const refFile = join(dir, 'reference.eve');
    writeFileSync(refFile, text);
    say(`average event ${Math.round(statSync(refFile).size / N)} bytes`);

    const { ExchangeCa } = await import('../src/exchange/pki/ca.js');
    const { generateKeyAndCsr } = await import('../src/pki/x509.js');
    const caDir = join(dir, 'ca');
    const ca = await ExchangeCa.loadOrCreate(caDir);
    const { keyPem, csrPem } = await generateKeyAndCsr('bench-device');
    const issued = await ca.signCsr(csrPem, { commonName: 'bench-device', days: 365 });
    const server = await spawnReady([SELF, '--role', 'server', '--ca', caDir], /listening (\d+)/);
    children.push(server.child);
    const serverPort = Number(server.match[1]);

    const conn: RunResult[] = [];
    const ref: RunResult[] = [];
    for (let r = 0; r < RUNS; r++) {
      const runDir = join(dir, `run${r}`);
      mkdirSync(runDir);
      const c = await connectorRun(runDir, text, serverPort, ca.certPem, { key: keyPem, cert: issued.certPem });
      conn.push(c);
      say(`  connector  ${c.lines_per_s} lines/s (${c.seconds} s), ${c.cpu_us_per_line} µs CPU/line, peak RSS ${c.rss_mb} MB (${c.idle_rss_mb} MB before the first line)`);
      rmSync(runDir, { recursive: true, force: true });
      const f = await referenceRun(dir, refFile);
      ref.push(f);
      say(`  reference  ${f.lines_per_s} lines/s (EveSource, do-nothing sink), ${f.cpu_us_per_line} µs CPU/line, peak RSS ${f.rss_mb} MB`);
    }
    const eps = median(conn.map((c) => c.lines_per_s));
    const refEps = median(ref.map((c) => c.lines_per_s));
    const out = {
      bench: 'connector-pipeline', events: N, event_bytes: Math.round(statSync(refFile).size / N), runs: RUNS,
      lines_per_s: eps, reference_lines_per_s: refEps, ratio: Number((eps / refEps).toFixed(2)),
      cpu_us_per_line: median(conn.map((c) => c.cpu_us_per_line)), reference_cpu_us_per_line: median(ref.map((c) => c.cpu_us_per_line)),
      connector_rss_mb: Math.max(...conn.map((c) => c.rss_mb)), reference_rss_mb: Math.max(...ref.map((c) => c.rss_mb)),
      each: conn.map((c, i) => ({ ...c, reference: ref[i] })),
    };
    if (json) process.stdout.write(`${JSON.stringify(out)}\n`);
    else {
      process.stdout.write(`connector    ${out.lines_per_s} lines/s (first write → last ack, median of ${RUNS})\n`);
      process.stdout.write(`reference    ${out.reference_lines_per_s} lines/s (EveSource, do-nothing sink)\n`);
      process.stdout.write(`ratio        ${out.ratio}\n`);
      process.stdout.write(`CPU/line     connector ${out.cpu_us_per_line} µs, reference ${out.reference_cpu_us_per_line} µs (user + system)\n`);
      process.stdout.write(`peak RSS     connector ${out.connector_rss_mb} MB, reference ${out.reference_rss_mb} MB\n`);
    }
  } finally {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

const entry = role === 'server' ? serverRole : role === 'reference' ? referenceRole : main;
entry().catch((e) => {
  process.stderr.write(`bench connector-pipeline failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
