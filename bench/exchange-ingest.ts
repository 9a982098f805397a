// node --import tsx bench/exchange-ingest.ts [--json] [--events N] [--frame N] [--inflight N]
// The exchange alone: one device streams pre-built ~1.1 KB normalized EVE alerts over the real
// TLS WebSocket, FRAME events a frame with INFLIGHT frames in flight, timed from the first send
// to the last ack. The device runs in a child process (this same file with --client) so that
// its TLS and framing do not share the exchange's event loop. In the same run, the reference:
// EventStore.commit alone on a fresh database with the same events in FRAME-event batches,
// and the ratio between the two.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startTestExchange, enrollDevice, DeviceSocket, cleanup, type EnrolledDevice } from '../test/helpers/exchange.js';
import { openSqliteStores } from '../src/exchange/store/sqlite/index.js';
import { mapEve } from '../src/connector/sources/map-eve.js';
import { demoAlert } from '../src/connector/demo/simulator.js';
import { validateEvent } from '../src/events/validate.js';
import type { NormalizedEvent } from '../src/events/event.js';
import type { CommitItem } from '../src/exchange/store/types.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) || dflt : dflt;
};
const json = args.includes('--json');
const N = opt('--events', 100_000);
const FRAME = opt('--frame', 5000);
const INFLIGHT = opt('--inflight', 8);
const say = (s: string) => { if (!json) process.stderr.write(`${s}\n`); };

/** Realistic normalized alerts of about 1.1 KB each (as JSON). */
function buildEvents(n: number, tag: string): NormalizedEvent[] {
  const out: NormalizedEvent[] = [];
  for (let i = 0; i < n; i++) {
    const rec = demoAlert();
    rec.payload_printable = 'GET /index.html HTTP/1.1\r\nHost: bench.example\r\nUser-Agent: bench\r\n'.repeat(2);
    const e = mapEve(rec, `bench-${tag}:${i}`);
    if (e === null) throw new Error('mapEve returned null');
    out.push(e);
  }
  return out;
}

// ---- the device (child process) -----------------------------------------------------------

interface ClientJob { dev: EnrolledDevice; events: number; frame: number; inflight: number; tag: string }

async function client(): Promise<void> {
  let input = '';
  for await (const c of process.stdin) input += c;
  const job = JSON.parse(input) as ClientJob;
  const events = buildEvents(job.events, job.tag);
  const frames: string[] = [];
  for (let i = 0, seq = 1; i < events.length; i += job.frame, seq++) {
    frames.push(JSON.stringify({ type: 'batch', seq, events: events.slice(i, i + job.frame) }));
  }
  const bytes = frames.reduce((a, f) => a + Buffer.byteLength(f), 0);
  const s = await DeviceSocket.connect(job.dev);
  await s.hello();
  const ws: WebSocket = s.ws;
  let next = 0;
  let acked = 0;
  let accepted = 0;
  let rejected = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const pump = () => {
      while (next < frames.length && next - acked < job.inflight) ws.send(frames[next++] as string);
    };
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString()) as { type: string; accepted?: number; rejected?: unknown[]; message?: string };
      if (f.type === 'error') return reject(new Error(f.message));
      if (f.type !== 'ack') return;
      acked++;
      accepted += f.accepted ?? 0;
      rejected += f.rejected?.length ?? 0;
      if (acked === frames.length) resolve();
      else pump();
    });
    ws.on('close', () => reject(new Error('socket closed')));
    pump();
  });
  const secs = (performance.now() - t0) / 1000;
  ws.removeAllListeners('close');
  s.close();
  process.stdout.write(JSON.stringify({ secs, accepted, rejected, bytesPerEvent: bytes / job.events }) + '\n');
}

function runClient(job: ClientJob): Promise<{ secs: number; accepted: number; rejected: number; bytesPerEvent: number }> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', self, '--client'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stdin.end(JSON.stringify(job));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`client exited ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop() as string));
    });
  });
}

// ---- the runs -------------------------------------------------------------------------------

async function exchangeRun(tag: string): Promise<number> {
  const t = await startTestExchange();
  try {
    const dev = await enrollDevice(t, 'bench-sensor');
    const r = await runClient({ dev, events: N, frame: FRAME, inflight: INFLIGHT, tag });
    if (r.accepted !== N) throw new Error(`accepted ${r.accepted} of ${N} (rejected ${r.rejected})`);
    say(`  frames: ${Math.round(r.bytesPerEvent)} bytes an event on the wire`);
    return N / r.secs;
  } finally {
    await t.close();
    cleanup(t.dataDir);
  }
}

async function storeRun(tag: string): Promise<{ commit: number; indexed: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'tl-bench-store-'));
  const stores = openSqliteStores(join(dir, 'exchange.db'));
  try {
    const org = await stores.orgs.create('bench');
    const items: CommitItem[] = buildEvents(N, tag).map((e) => {
      const v = validateEvent(e);
      if (!v.ok) throw new Error(v.reason);
      return { org_id: org.id, device_id: 'bench-device', event: v.event };
    });
    const t0 = performance.now();
    for (let i = 0; i < items.length; i += FRAME) await stores.events.commit(items.slice(i, i + FRAME));
    const t1 = performance.now();
    // A unique-events read brings the indexer up to date first.
    await stores.events.unique(org.id, { limit: 1 });
    const t2 = performance.now();
    return { commit: items.length / ((t1 - t0) / 1000), indexed: items.length / ((t2 - t0) / 1000) };
  } finally {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  say(`bench/exchange-ingest — ${N} events, ${FRAME}-event frames, ${INFLIGHT} in flight`);
  const exchange = args.includes('--store-only') ? NaN : await exchangeRun('x');
  say(`  exchange: ${Math.round(exchange)} events/s`);
  const store = await storeRun('s');
  say(`  EventStore.commit alone: ${Math.round(store.commit)} events/s (${Math.round(store.indexed)}/s until indexed)`);
  const ratio = exchange / store.commit;
  say(`  ratio: ${ratio.toFixed(2)}`);
  if (json) {
    process.stdout.write(JSON.stringify({
      events: N, frame: FRAME, inflight: INFLIGHT, exchange_eps: Math.round(exchange), store_eps: Math.round(store.commit),
      store_indexed_eps: Math.round(store.indexed), ratio: Number(ratio.toFixed(3)),
    }) + '\n');
  }
}

if (args.includes('--client')) {
  client().then(() => process.exit(0), (err: unknown) => { process.stderr.write(`${(err as Error).stack}\n`); process.exit(1); });
} else {
  main().then(() => process.exit(0), (err: unknown) => { process.stderr.write(`${(err as Error).stack}\n`); process.exit(1); });
}
