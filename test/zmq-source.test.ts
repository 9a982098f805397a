import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Push } from 'zeromq';
import type { NormalizedEvent } from '../src/events/event.js';
import type { SourceSink } from '../src/connector/sources/types.js';
import { ZmqSource } from '../src/connector/sources/zmq.js';

interface FakeSink extends SourceSink {
  events: NormalizedEvent[];
  rejects: Array<{ source: string; reason: string; sample?: string }>;
  logs: Array<{ level: string; where: string; msg: string }>;
  writes: number;
}

function fakeSink(write?: (events: NormalizedEvent[]) => Promise<void>): FakeSink {
  const sink: FakeSink = {
    events: [],
    rejects: [],
    logs: [],
    writes: 0,
    write: async (events) => {
      sink.writes++;
      if (write) await write(events);
      sink.events.push(...events);
    },
    reject: (source, reason, sample) => sink.rejects.push({ source, reason, sample }),
    log: {
      info: (where, msg) => sink.logs.push({ level: 'info', where, msg }),
      warn: (where, msg) => sink.logs.push({ level: 'warn', where, msg }),
      error: (where, msg) => sink.logs.push({ level: 'error', where, msg }),
    },
  };
  return sink;
}

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function event(i: number, pad = 0): string {
  return JSON.stringify({
    event_id: `eh:${i}`,
    type: 'intrusion',
    time: '2024-01-01T10:00:00.123456+0000',
    src_ip: '10.0.0.5',
    src_port: 51234,
    dst_ip: '203.0.113.7',
    dst_port: 80,
    protocol: 'tcp',
    signature: { gid: 1, sid: 2024897, rev: 3, priority: 2 },
    action: 'allowed',
    ...(pad ? { raw: { seq: i, pad: 'x'.repeat(pad) } } : {}),
  });
}

function endpointIn(dir: string): { endpoint: string; path: string } {
  const path = join(dir, 'EventHandler_SSEConnector.sock');
  return { endpoint: `ipc://${path}`, path };
}

test('zmq source: waits (and says so) until the sensor binds, then receives in order', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'zmq-'));
  const { endpoint, path } = endpointIn(dir);
  const sink = fakeSink();
  const src = new ZmqSource({ name: 'eh', type: 'zmq', endpoint }, sink, { checkMs: 50 });
  const push = new Push({ linger: 0 });
  t.after(async () => {
    await src.stop();
    push.close();
    rmSync(dir, { recursive: true, force: true });
  });

  await src.start();
  assert.equal(src.state().state, 'waiting');
  const expected = `Could not connect to ZeroMQ PUSH endpoint: could not dial to "ipc://${path}": dial unix ${path}: connect: no such file or directory\n`;
  const errors = (): Array<{ where: string; msg: string }> =>
    sink.logs.filter((l) => l.level === 'error').map(({ where, msg }) => ({ where, msg }));
  assert.deepEqual(errors(), [{ where: 'zmqStart', msg: expected }]);
  await sleep(400); // several checks: still one line, not one per check
  assert.deepEqual(errors(), [{ where: 'zmqStart', msg: expected }]);
  assert.equal(src.state().state, 'waiting');
  assert.equal(src.state().last_error?.message, expected.trimEnd());

  // The sensor comes up.
  await push.bind(endpoint);
  await until(() => src.state().state === 'attached', 'attached');
  assert.equal(errors().length, 1, 'no other complaint while it came up');
  assert.equal(src.state().detail, undefined);
  const N = 200;
  for (let i = 0; i < N; i++) await push.send(event(i));
  await until(() => sink.events.length === N, `${N} events`);
  assert.deepEqual(
    sink.events.map((e) => e.event_id),
    Array.from({ length: N }, (_, i) => `eh:${i}`),
  );
  assert.equal(sink.events[0]!.time, '2024-01-01T10:00:00.123Z', 'validated and normalised');

  // Garbage is rejected and counted; the stream goes on.
  await push.send('{"not json');
  await push.send('[1,2]');
  await push.send(JSON.stringify({ ...JSON.parse(event(9999)), severity: 1 }));
  await push.send([Buffer.from(event(7777)), Buffer.from('second frame')]);
  await push.send(Buffer.from([0xff, 0xfe, 0x7b]));
  const noId = JSON.parse(event(0)) as Record<string, unknown>;
  delete noId.event_id;
  await push.send(JSON.stringify(noId));
  await push.send(event(N));
  await until(() => sink.events.length === N + 2, 'the good events after the garbage');
  assert.match(sink.events[N]!.event_id, /^eh:[0-9a-f-]{36}$/, 'an event without an id gets name:uuid');
  assert.equal(sink.events[N + 1]!.event_id, `eh:${N}`);
  assert.deepEqual(
    sink.rejects.map((r) => r.reason.split(':')[0]),
    ['not JSON', 'not_object', 'unknown_field', 'a multi-part message of 2 frames (one frame, one event)', 'not UTF-8'],
  );
  assert.ok(sink.rejects.every((r) => r.source === 'eh'));
  assert.equal(src.state().events_rejected, 5);
  assert.equal(src.state().events_read, N + 2);

  // Paused: nothing is taken from ZeroMQ until resume.
  src.pause();
  assert.equal(src.state().state, 'paused');
  for (let i = 0; i < 5; i++) await push.send(event(10_000 + i));
  await sleep(300);
  // At most the one receive already waiting when pause() came is held, not written.
  assert.equal(sink.events.length, N + 2);
  src.resume();
  await until(() => sink.events.length === N + 7, 'the events sent while paused');
  assert.deepEqual(
    sink.events.slice(N + 2).map((e) => e.event_id),
    [0, 1, 2, 3, 4].map((i) => `eh:${10_000 + i}`),
  );

  // The sensor dies: its socket file stays behind (a ZeroMQ PUSH closed without unbind leaves
  // it), and connecting to it is refused.
  const before = errors().length;
  push.close();
  await until(() => src.state().state === 'waiting', 'waiting again');
  const refused = `Could not connect to ZeroMQ PUSH endpoint: could not dial to "ipc://${path}": dial unix ${path}: connect: connection refused\n`;
  if (existsSync(path)) {
    await until(() => errors().length === before + 1, 'a connection refused line');
    assert.deepEqual(errors()[before], { where: 'zmqStart', msg: refused });
  }
  // Then the file goes too (an upgrade cleaned the run directory): the first line again, once.
  const mid = errors().length;
  rmSync(path, { force: true });
  await until(() => errors().length === mid + 1, 'the no-such-file line again');
  assert.deepEqual(errors()[mid], { where: 'zmqStart', msg: expected });
  await sleep(300);
  assert.equal(errors().length, mid + 1, 'not repeated within the minute');
  assert.equal(src.state().detail, 'no such file or directory');
});

test('zmq source: a slow spool blocks the sender at its HWM; nothing is lost', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'zmq-'));
  const { endpoint } = endpointIn(dir);
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let gateOpen = false;
  const sink = fakeSink(async () => {
    await gate;
    await sleep(2); // and slow after that
  });
  const push = new Push({ sendHighWaterMark: 100, linger: 0 });
  const src = new ZmqSource({ name: 'eh', type: 'zmq', endpoint }, sink, { checkMs: 50 });
  t.after(async () => {
    open();
    await src.stop();
    push.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await push.bind(endpoint);
  await src.start();
  await until(() => src.state().state === 'attached', 'attached');

  const N = 20_000;
  let sent = 0;
  const sender = (async () => {
    for (let i = 0; i < N; i++) {
      await push.send(event(i, 300));
      sent = i + 1;
    }
  })();
  // With the spool stuck, only ZeroMQ's queues (RCVHWM 10k, SNDHWM 100, socket buffers) and the
  // one batch in hand can take messages: the sender must stall well short of N.
  await sleep(1500);
  const stalledAt = sent;
  await sleep(500);
  assert.equal(sent, stalledAt, 'the sender is blocked');
  assert.ok(stalledAt < N, `sender stalled at ${stalledAt} of ${N}`);
  t.diagnostic(`sender stalled at ${stalledAt} of ${N} messages`);
  assert.ok(sink.writes <= 1, 'one write at a time');
  assert.equal(sink.events.length, 0);

  gateOpen = true;
  open();
  await sender;
  await until(() => sink.events.length === N, `${N} events`, 60_000);
  assert.ok(gateOpen);
  for (let i = 0; i < N; i++) {
    if (sink.events[i]!.event_id !== `eh:${i}`) assert.fail(`event ${i} is ${sink.events[i]!.event_id}`);
  }
  assert.ok(sink.writes > 1 && sink.writes <= N);
  assert.ok(sink.events.length / sink.writes > 1, 'messages are taken in batches');
  assert.equal(src.state().events_rejected, 0);
});
