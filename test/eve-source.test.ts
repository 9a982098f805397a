// EveSource on real files: delivery, checkpoint-after-write, restart and replay, rotation,
// truncation, garbage, pause/resume. FileTail runs with a short poll so the tests stay quick.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NormalizedEvent } from '../src/events/event.js';
import { validateEvent } from '../src/events/validate.js';
import { EveSource } from '../src/connector/sources/eve.js';
import { LineBatcher } from '../src/connector/sources/tail-lines.js';
import { Snort3JsonSource } from '../src/connector/sources/snort3-json.js';
import type { SourceSink } from '../src/connector/sources/types.js';

const POLL = { pollMs: 20 };

function alert(n: number): string {
  return JSON.stringify({
    timestamp: `2024-03-14T09:26:${String(n % 60).padStart(2, '0')}.123456+0000`,
    flow_id: n,
    in_iface: 'eth0',
    event_type: 'alert',
    src_ip: '10.0.0.5',
    src_port: 40000 + n,
    dest_ip: '203.0.113.7',
    dest_port: 80,
    proto: 'TCP',
    alert: { action: 'allowed', gid: 1, signature_id: 2000000 + n, rev: 1, signature: `test alert ${n}`, category: 'Misc activity', severity: 3 },
    http: { hostname: 'example.test', url: `/n/${n}`, http_method: 'GET', protocol: 'HTTP/1.1', status: 200, length: 10 },
    app_proto: 'http',
  });
}
const lines = (...ns: number[]): string => ns.map((n) => alert(n) + '\n').join('');
const STATS = '{"timestamp":"2024-03-14T09:34:00.000000+0000","event_type":"stats","stats":{"uptime":1}}\n';

interface TestSink {
  sink: SourceSink;
  events: () => NormalizedEvent[];
  flows: () => number[];
  rejects: { reason: string; sample?: string }[];
  logs: string[];
  writeCalls: () => number;
  hold: () => void;
  release: () => void;
}

function makeSink(): TestSink {
  const batches: NormalizedEvent[][] = [];
  const rejects: { reason: string; sample?: string }[] = [];
  const logs: string[] = [];
  let calls = 0;
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  const sink: SourceSink = {
    async write(events) {
      calls++;
      if (gate) await gate.promise;
      batches.push(events);
    },
    reject(_source, reason, sample) {
      rejects.push({ reason, sample });
    },
    log: {
      info: (_w, m) => logs.push(`info: ${m}`),
      warn: (_w, m) => logs.push(`warn: ${m}`),
      error: (_w, m) => logs.push(`error: ${m}`),
    },
  };
  const events = (): NormalizedEvent[] => batches.flat();
  return {
    sink,
    events,
    flows: () => events().map((e) => (e.raw as { flow_id: number }).flow_id),
    rejects,
    logs,
    writeCalls: () => calls,
    hold: () => {
      let open!: () => void;
      const promise = new Promise<void>((r) => (open = r));
      gate = { promise, open };
    },
    release: () => {
      gate?.open();
      gate = undefined;
    },
  };
}

async function waitFor(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function setup(): { dir: string; file: string; cpDir: string; cpFile: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tl-eve-'));
  return {
    dir,
    file: join(dir, 'eve.json'),
    cpDir: join(dir, 'checkpoints'),
    cpFile: join(dir, 'checkpoints', 'ids.checkpoint'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const cfg = (file: string) => ({ name: 'ids', type: 'eve' as const, path: file });
const offsetOf = (e: NormalizedEvent): number => Number(e.event_id.slice(e.event_id.lastIndexOf(':') + 1));
const identityOf = (e: NormalizedEvent): string => e.event_id.slice('ids:'.length, e.event_id.lastIndexOf(':'));

test('lines appended to the file reach the sink as valid events; other record types are skipped', async () => {
  const t = setup();
  const s = makeSink();
  writeFileSync(t.file, lines(1) + STATS);
  const src = new EveSource(cfg(t.file), s.sink, t.cpDir, POLL);
  try {
    await src.start();
    await waitFor(() => s.events().length === 1, 'first event');
    appendFileSync(t.file, lines(2, 3) + STATS);
    await waitFor(() => s.events().length === 3, 'three events');
    assert.deepEqual(s.flows(), [1, 2, 3]);
    for (const e of s.events()) {
      assert.ok(validateEvent(e).ok);
      assert.match(e.event_id, /^ids:\d+:\d+:[0-9a-f]{8}:\d+$/);
    }
    assert.equal(offsetOf(s.events()[0]!), 0);
    assert.equal(offsetOf(s.events()[1]!), Buffer.byteLength(lines(1) + STATS));
    assert.equal(s.events()[2]!.observables?.url?.[0], 'http://example.test/n/3');
    await waitFor(() => src.state().offset === statSync(t.file).size, 'offset at end');
    const st = src.state();
    assert.equal(st.state, 'attached');
    assert.equal(st.file, t.file);
    assert.equal(st.events_read, 3);
    assert.equal(st.events_rejected, 0);
    assert.match(st.detail ?? '', /2 record\(s\) of types not shipped skipped/);
    assert.equal(s.rejects.length, 0);
  } finally {
    await src.stop();
    t.cleanup();
  }
  assert.equal(src.state().state, 'stopped');
});

test('the checkpoint is written only after the sink has taken the batch', async () => {
  const t = setup();
  const s = makeSink();
  s.hold();
  writeFileSync(t.file, lines(1, 2));
  const src = new EveSource(cfg(t.file), s.sink, t.cpDir, POLL);
  try {
    await src.start();
    await waitFor(() => s.writeCalls() === 1, 'write called');
    await sleep(150);
    assert.equal(existsSync(t.cpFile), false, 'no checkpoint while the write is pending');
    assert.equal(src.state().offset, 0);
    s.release();
    await waitFor(() => existsSync(t.cpFile), 'checkpoint written');
    const cp = JSON.parse(readFileSync(t.cpFile, 'utf8'));
    assert.equal(cp.offset, statSync(t.file).size);
    assert.equal(cp.identity, identityOf(s.events()[0]!));
    assert.equal(s.writeCalls(), 1, 'one batch, delivered once');
  } finally {
    s.release();
    await src.stop();
    t.cleanup();
  }
});

test('a write that fails is retried with the same batch; nothing is lost or counted twice', async () => {
  const t = setup();
  const s = makeSink();
  let failures = 1;
  const inner = s.sink.write;
  s.sink.write = async (events) => {
    if (failures-- > 0) throw new Error('spool unavailable');
    return inner(events);
  };
  writeFileSync(t.file, lines(1, 2) + 'garbage\n');
  const src = new EveSource(cfg(t.file), s.sink, t.cpDir, POLL);
  try {
    await src.start();
    // Rejections are reported once the batch (write + checkpoint) is through.
    await waitFor(() => s.events().length === 2 && s.rejects.length === 1, 'events after the retry');
    assert.deepEqual(s.flows(), [1, 2]);
    assert.equal(s.rejects.length, 1);
    assert.equal(src.state().events_rejected, 1);
    assert.equal(src.state().last_error?.message, 'spool unavailable');
  } finally {
    await src.stop();
    t.cleanup();
  }
});

test('restart resumes at the checkpoint; an older checkpoint replays with the same event ids', async () => {
  const t = setup();
  writeFileSync(t.file, lines(1, 2, 3));
  const s1 = makeSink();
  const run1 = new EveSource(cfg(t.file), s1.sink, t.cpDir, POLL);
  await run1.start();
  await waitFor(() => s1.events().length === 3 && existsSync(t.cpFile), 'run 1');
  await run1.stop();
  const cp1 = JSON.parse(readFileSync(t.cpFile, 'utf8'));
  assert.equal(cp1.offset, statSync(t.file).size);

  appendFileSync(t.file, lines(4, 5));
  const s2 = makeSink();
  const run2 = new EveSource(cfg(t.file), s2.sink, t.cpDir, POLL);
  await run2.start();
  await waitFor(() => s2.events().length === 2, 'run 2');
  await sleep(100);
  await run2.stop();
  assert.deepEqual(s2.flows(), [4, 5], 'no repeats after a restart');

  // A checkpoint from before the crash: after line 1. Lines 2–5 come again, with the ids they had.
  writeFileSync(t.cpFile, JSON.stringify({ identity: cp1.identity, offset: Buffer.byteLength(lines(1)) }));
  const s3 = makeSink();
  const run3 = new EveSource(cfg(t.file), s3.sink, t.cpDir, POLL);
  try {
    await run3.start();
    await waitFor(() => s3.events().length === 4, 'run 3');
    assert.deepEqual(s3.flows(), [2, 3, 4, 5]);
    const before = [...s1.events().slice(1), ...s2.events()].map((e) => e.event_id);
    assert.deepEqual(s3.events().map((e) => e.event_id), before);
  } finally {
    await run3.stop();
    t.cleanup();
  }
});

test('rotation: lines written to the old file just before the rename are read, then the new file', async () => {
  const t = setup();
  const s = makeSink();
  writeFileSync(t.file, lines(1, 2, 3));
  const src = new EveSource(cfg(t.file), s.sink, t.cpDir, POLL);
  try {
    await src.start();
    await waitFor(() => s.events().length === 3, 'first three');
    // rename + recreate, with the last lines of the old file written right before the rename
    appendFileSync(t.file, lines(4, 5));
    renameSync(t.file, `${t.file}.1`);
    writeFileSync(t.file, lines(6, 7));
    await waitFor(() => s.events().length === 7, 'all seven');
    assert.deepEqual(s.flows(), [1, 2, 3, 4, 5, 6, 7]);
    const [old, fresh] = [identityOf(s.events()[4]!), identityOf(s.events()[5]!)];
    assert.notEqual(old, fresh);
    assert.equal(offsetOf(s.events()[5]!), 0);

    // logrotate `create`: the new file exists (empty) while the writer still appends to the old one.
    renameSync(t.file, `${t.file}.2`);
    writeFileSync(t.file, '');
    await sleep(100);
    appendFileSync(`${t.file}.2`, lines(8));
    await waitFor(() => s.events().length === 8, 'line 8 from the renamed file');
    appendFileSync(t.file, lines(9));
    await waitFor(() => s.events().length === 9, 'line 9 from the new file');
    assert.deepEqual(s.flows(), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(s.rejects.length, 0);
    assert.ok(s.logs.some((l) => /rotated/.test(l)), s.logs.join('\n'));
    const cp = JSON.parse(readFileSync(t.cpFile, 'utf8'));
    await waitFor(() => JSON.parse(readFileSync(t.cpFile, 'utf8')).offset === statSync(t.file).size, 'checkpoint on the new file');
    assert.equal(typeof cp.identity, 'string');
  } finally {
    await src.stop();
    t.cleanup();
  }
});

test('a file rotated while the connector was down: its rest is read from the rotated name first', async () => {
  const t = setup();
  writeFileSync(t.file, lines(1, 2));
  const s1 = makeSink();
  const run1 = new EveSource(cfg(t.file), s1.sink, t.cpDir, POLL);
  await run1.start();
  await waitFor(() => s1.events().length === 2 && existsSync(t.cpFile), 'run 1');
  await run1.stop();
  appendFileSync(t.file, lines(3));
  renameSync(t.file, `${t.file}.1`);
  writeFileSync(t.file, lines(4));
  const s2 = makeSink();
  const run2 = new EveSource(cfg(t.file), s2.sink, t.cpDir, POLL);
  try {
    await run2.start();
    await waitFor(() => s2.events().length === 2, 'run 2');
    assert.deepEqual(s2.flows(), [3, 4]);
    assert.equal(identityOf(s2.events()[0]!), identityOf(s1.events()[0]!));
  } finally {
    await run2.stop();
    t.cleanup();
  }
});

test('truncation: read again from 0, as a new file (new event ids), also when it regrew past the offset', async () => {
  const t = setup();
  const s = makeSink();
  writeFileSync(t.file, lines(1, 2, 3));
  const src = new EveSource(cfg(t.file), s.sink, t.cpDir, POLL);
  try {
    await src.start();
    await waitFor(() => s.events().length === 3, 'first three');
    truncateSync(t.file, 0);
    appendFileSync(t.file, lines(4));
    await waitFor(() => s.events().length === 4, 'line after truncation');
    assert.equal(offsetOf(s.events()[3]!), 0);
    assert.notEqual(s.events()[3]!.event_id, s.events()[0]!.event_id, 'same offset, new content, new id');

    // copytruncate while paused, and the file grows past the old offset before we look again
    src.pause();
    await sleep(60);
    truncateSync(t.file, 0);
    appendFileSync(t.file, lines(5, 6, 7, 8, 9, 10));
    src.resume();
    await waitFor(() => s.events().length === 10, 'lines of the regrown file');
    await sleep(100);
    assert.deepEqual(s.flows(), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(s.rejects.length, 0, JSON.stringify(s.rejects));
    assert.ok(s.logs.some((l) => /truncated/.test(l)));
  } finally {
    await src.stop();
    t.cleanup();
  }
});

test('a garbage line is rejected with a reason and the stream goes on; a partial line waits for its newline', async () => {
  const t = setup();
  const s = makeSink();
  writeFileSync(t.file, lines(1) + 'this is not json\n' + '[1,2]\n\n' + JSON.stringify({ event_type: 'alert', alert: {} }) + '\n' + lines(2));
  const src = new EveSource(cfg(t.file), s.sink, t.cpDir, POLL);
  try {
    await src.start();
    await waitFor(() => s.events().length === 2 && s.rejects.length === 3, 'both good lines and the rejections');
    assert.deepEqual(s.flows(), [1, 2]);
    assert.deepEqual(
      s.rejects.map((r) => r.reason.replace(/:.*/s, '')),
      ['not JSON', 'not a JSON object', 'bad_value'], // the last: an alert with no timestamp or signature
    );
    assert.equal(s.rejects[0]!.sample, 'this is not json');
    assert.equal(src.state().events_rejected, 3);

    const half = alert(3);
    appendFileSync(t.file, half.slice(0, 100));
    await sleep(150);
    assert.equal(s.events().length, 2, 'no event from half a line');
    appendFileSync(t.file, half.slice(100) + '\n');
    await waitFor(() => s.events().length === 3, 'completed line');
    await sleep(60);
    assert.deepEqual(s.flows(), [1, 2, 3]);
    assert.equal(s.rejects.length, 3);
    await waitFor(() => JSON.parse(readFileSync(t.cpFile, 'utf8')).offset === statSync(t.file).size, 'checkpoint at the end');
  } finally {
    await src.stop();
    t.cleanup();
  }
});

test('pause stops reading without losing the position; resume goes on; a missing file is waited for', async () => {
  const t = setup();
  const s = makeSink();
  const src = new EveSource(cfg(t.file), s.sink, t.cpDir, POLL);
  try {
    await src.start();
    await sleep(60);
    assert.equal(src.state().state, 'waiting');
    writeFileSync(t.file, lines(1));
    await waitFor(() => s.events().length === 1, 'file appeared');
    assert.equal(src.state().state, 'attached');
    src.pause();
    assert.equal(src.state().state, 'paused');
    appendFileSync(t.file, lines(2, 3));
    await sleep(200);
    assert.equal(s.events().length, 1, 'nothing read while paused');
    assert.equal(src.state().state, 'paused');
    src.resume();
    await waitFor(() => s.events().length === 3, 'after resume');
    assert.deepEqual(s.flows(), [1, 2, 3]);
  } finally {
    await src.stop();
    t.cleanup();
  }
});

test('pause while a read is under way: what that read found waits for resume, in order', async () => {
  const t = setup();
  const s = makeSink();
  const src = new EveSource(cfg(t.file), s.sink, t.cpDir, POLL);
  // Reads made slow, so that pause() lands inside one (CI once caught it there by chance).
  const read = LineBatcher.prototype.readBatch;
  let slow = false;
  LineBatcher.prototype.readBatch = async function (this: LineBatcher, ...a: Parameters<typeof read>) {
    if (slow) await sleep(100);
    return read.apply(this, a);
  };
  try {
    await src.start();
    writeFileSync(t.file, lines(1));
    await waitFor(() => s.events().length === 1, 'first event');
    slow = true;
    await sleep(30);
    src.pause();
    appendFileSync(t.file, lines(2, 3));
    await sleep(300);
    assert.equal(s.events().length, 1, 'nothing delivered while paused');
    src.resume();
    await waitFor(() => s.events().length === 3, 'after resume');
    assert.deepEqual(s.flows(), [1, 2, 3]);
  } finally {
    LineBatcher.prototype.readBatch = read;
    await src.stop();
    t.cleanup();
  }
});

test('a record too large for raw is shipped without its packet bytes', async () => {
  const t = setup();
  const s = makeSink();
  const rec = JSON.parse(alert(1));
  rec.payload = 'A'.repeat(80_000);
  writeFileSync(t.file, JSON.stringify(rec) + '\n');
  const src = new EveSource(cfg(t.file), s.sink, t.cpDir, POLL);
  try {
    await src.start();
    await waitFor(() => s.events().length === 1, 'event');
    const raw = s.events()[0]!.raw as Record<string, unknown>;
    assert.equal(raw.payload, undefined);
    assert.equal(raw.flow_id, 1);
  } finally {
    await src.stop();
    t.cleanup();
  }
});

test('a line longer than the tail buffer (1 MiB) is rejected by a sample, and the next line is read', async () => {
  const t = setup();
  const s = makeSink();
  writeFileSync(t.file, lines(1) + '{"junk":"' + 'x'.repeat(1_200_000) + '"}\n' + lines(2));
  const src = new EveSource(cfg(t.file), s.sink, t.cpDir, POLL);
  try {
    await src.start();
    await waitFor(() => s.events().length === 2 && s.rejects.length === 1, 'both lines and the rejection');
    assert.deepEqual(s.flows(), [1, 2]);
    assert.match(s.rejects[0]!.reason, /^line longer than the tail's limit \(1200012 bytes\)/);
    assert.equal(s.rejects[0]!.sample, '{"junk":"' + 'x'.repeat(191));
    assert.equal(offsetOf(s.events()[1]!), Buffer.byteLength(lines(1)) + 1_200_012);
  } finally {
    await src.stop();
    t.cleanup();
  }
});

test('Snort3JsonSource follows alert_json the same way', async () => {
  const t = setup();
  const s = makeSink();
  const file = join(t.dir, 'alert_json.txt');
  writeFileSync(file, `{ "timestamp" : "01/01-00:00:01.000001", "pkt_num" : 1, "proto" : "TCP", "pkt_gen" : "raw", "pkt_len" : 60, "dir" : "C2S", "src_ap" : "10.0.0.5:51234", "dst_ap" : "203.0.113.7:80", "rule" : "1:2000:3", "action" : "drop" }\n`);
  const src = new Snort3JsonSource({ name: 'snort', type: 'snort3-json', path: file }, s.sink, t.cpDir, POLL);
  try {
    await src.start();
    await waitFor(() => s.events().length === 1, 'event');
    const e = s.events()[0]!;
    assert.match(e.event_id, /^snort:\d+:\d+:[0-9a-f]{8}:0$/);
    assert.deepEqual(e.signature, { gid: 1, sid: 2000, rev: 3 });
    assert.equal(e.action, 'blocked');
    assert.equal(src.state().type, 'snort3-json');
    await waitFor(() => existsSync(join(t.cpDir, 'snort.checkpoint')), 'checkpoint');
  } finally {
    await src.stop();
    t.cleanup();
  }
});
