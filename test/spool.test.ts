// The connector's segment spool: round trips across segments, recovery from torn tails and
// corruption, the full policies, and kill -9 of a process in the middle of appending.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zlib from 'node:zlib';
import { openSegmentSpool, type SegmentSpoolOptions } from '../src/connector/spool/segment-spool.js';
import { crc32Fallback } from '../src/connector/spool/crc32.js';
import type { Spool, SpoolRecord } from '../src/connector/spool/types.js';

const WRITER = fileURLToPath(new URL('./fixtures/spool-writer.ts', import.meta.url));

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'tl-spool-'));
}

function rec(n: number): string {
  return JSON.stringify({ n, body: `event number ${n}` });
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

function segFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.seg')).sort();
}

async function open(dir: string, o: Partial<SegmentSpoolOptions> = {}): Promise<Spool> {
  return openSegmentSpool(dir, { maxBytes: 64 * 1024 * 1024, policy: 'block', ...o });
}

/** Every readable record from `from` on, read in small pieces to cross segment boundaries. */
async function readAll(s: Spool, from = 0): Promise<SpoolRecord[]> {
  const out: SpoolRecord[] = [];
  for (let seq = from; ; ) {
    const got = await s.read(seq, 7, 300);
    if (got.length === 0) return out;
    out.push(...got);
    seq = got.at(-1)!.seq + 1;
  }
}

function settled(p: Promise<unknown>): () => boolean {
  let done = false;
  void p.then(() => (done = true), () => (done = true));
  return () => done;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('CRC-32 fallback agrees with zlib', () => {
  const buf = Buffer.from(JSON.stringify({ a: 'ünïcödé', b: [1, 2, 3] }).repeat(20));
  assert.equal(crc32Fallback(buf), zlib.crc32(buf));
  assert.equal(crc32Fallback(Buffer.from('123456789')), 0xcbf43926);
});

test('append, read and ack round trip across segments; reopen resumes at the ack position', async () => {
  const dir = tmp();
  try {
    let s = await open(dir, { segmentBytes: 512 });
    for (let i = 0; i < 100; i += 7) await s.append(range(i, Math.min(100, i + 7)).map(rec));
    assert.ok(segFiles(dir).length > 5, 'several segments');
    let st = s.stats();
    assert.equal(st.nextSeq, 100);
    assert.equal(st.depth, 100);
    assert.equal(st.appended, 100);

    const all = await readAll(s);
    assert.deepEqual(all.map((r) => r.seq), range(0, 100));
    assert.deepEqual(all.map((r) => r.json), range(0, 100).map(rec));
    // From the middle of a segment, with limits.
    const mid = await s.read(33, 5, 1 << 20);
    assert.deepEqual(mid.map((r) => r.json), range(33, 38).map(rec));
    const byBytes = await s.read(10, 1000, rec(10).length * 3);
    assert.deepEqual(byBytes.map((r) => r.seq), [10, 11, 12]);
    assert.equal((await s.read(0, 10, 1)).length, 1, 'a record larger than maxBytes still comes out alone');

    const before = segFiles(dir);
    await s.ack(50);
    const after = segFiles(dir);
    assert.ok(after.length < before.length, 'fully acknowledged segments deleted');
    const bases = after.map((f) => Number(f.slice(0, 20)));
    // Every remaining segment but the last still holds a record ≥ 50 (its successor starts after 50).
    for (let i = 0; i + 1 < bases.length; i++) assert.ok(bases[i + 1]! > 50, `segment ${after[i]} should be gone`);
    st = s.stats();
    assert.equal(st.ackedUpTo, 50);
    assert.equal(st.depth, 50);
    assert.equal(st.acked, 50);
    assert.deepEqual((await s.read(0, 3, 1 << 20)).map((r) => r.seq), [50, 51, 52], 'reads start at the ack position');
    await s.ack(61); // not a segment boundary: persisted lazily, at the latest by close
    await s.close();

    s = await open(dir, { segmentBytes: 512 });
    st = s.stats();
    assert.equal(st.ackedUpTo, 61);
    assert.equal(st.nextSeq, 100);
    assert.equal(st.depth, 39);
    assert.deepEqual((await readAll(s, 0)).map((r) => r.json), range(61, 100).map(rec));
    await s.append([rec(100), rec(101)]);
    assert.deepEqual((await s.read(100, 10, 1 << 20)).map((r) => [r.seq, r.json]), [[100, rec(100)], [101, rec(101)]]);
    await s.ack(102);
    assert.equal(s.stats().depth, 0);
    assert.equal(s.stats().bytes, 0);
    await s.close();

    s = await open(dir, { segmentBytes: 512 });
    assert.equal(s.stats().nextSeq, 102, 'seqs are never reused, even with everything acknowledged');
    await s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('waitFor resolves once a record with that seq is durable', async () => {
  const dir = tmp();
  try {
    const s = await open(dir);
    await s.append([rec(0)]);
    await s.waitFor(0);
    const w = s.waitFor(3);
    const done = settled(w);
    await s.append([rec(1), rec(2)]);
    await sleep(20);
    assert.equal(done(), false);
    await s.append([rec(3)]);
    await w;
    const w2 = s.waitFor(10);
    await s.close();
    await w2; // close releases waiters
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('concurrent appends are committed in call order', async () => {
  const dir = tmp();
  try {
    const s = await open(dir, { segmentBytes: 4096 });
    await Promise.all(range(0, 50).map((i) => s.append(range(i * 10, i * 10 + 10).map(rec))));
    assert.deepEqual((await readAll(s)).map((r) => r.json), range(0, 500).map(rec));
    await s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const [name, tail] of [
  ['a truncated record', () => Buffer.concat([Buffer.from([0, 0, 0, 40, 1, 2, 3, 4]), Buffer.from('{"half":')])],
  ['garbage bytes', () => Buffer.from('this is not a record, just junk \x00\xff\x13')],
  ['zeros (what a power cut can leave)', () => Buffer.alloc(64)],
] as const) {
  test(`torn tail (${name}) is cut off at open, appends continue`, async () => {
    const dir = tmp();
    try {
      let s = await open(dir);
      await s.append(range(0, 20).map(rec));
      await s.close();
      const [last] = segFiles(dir).slice(-1);
      const path = join(dir, last!);
      const good = statSync(path).size;
      appendFileSync(path, tail());

      const logs: string[] = [];
      s = await open(dir, { log: (m) => logs.push(m) });
      assert.equal(statSync(path).size, good, 'torn bytes removed');
      assert.ok(logs.some((m) => /torn tail/.test(m)), logs.join('\n'));
      assert.equal(s.stats().nextSeq, 20);
      assert.equal(s.stats().dropped, 0);
      assert.deepEqual((await readAll(s)).map((r) => r.json), range(0, 20).map(rec));
      await s.append(range(20, 25).map(rec));
      await s.close();

      s = await open(dir);
      assert.deepEqual((await readAll(s)).map((r) => r.json), range(0, 25).map(rec));
      await s.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a corrupt record inside a finished segment: open skips to the next segment and counts the loss', async () => {
  const dir = tmp();
  try {
    let s = await open(dir, { segmentBytes: 400 });
    for (let i = 0; i < 60; i += 5) await s.append(range(i, i + 5).map(rec));
    await s.close();
    const files = segFiles(dir);
    assert.ok(files.length >= 4);
    const second = Number(files[1]!.slice(0, 20));
    assert.ok(second > 3);
    // Flip one payload byte of record 2 in the first segment.
    const path = join(dir, files[0]!);
    const buf = readFileSync(path);
    const at = (8 + rec(0).length) + (8 + rec(1).length) + 8 + 5;
    buf[at] = buf[at]! ^ 0x20;
    writeFileSync(path, buf);

    const logs: string[] = [];
    s = await open(dir, { segmentBytes: 400, log: (m) => logs.push(m) });
    assert.ok(logs.some((m) => /CRC mismatch/.test(m)), logs.join('\n'));
    assert.equal(s.stats().dropped, second - 2);
    assert.equal(s.stats().nextSeq, 60);
    const want = [0, 1, ...range(second, 60)];
    assert.equal(s.stats().depth, want.length);
    const got = await readAll(s);
    assert.deepEqual(got.map((r) => r.seq), want);
    assert.deepEqual(got.map((r) => r.json), want.map(rec));
    await s.append([rec(60)]);
    await s.ack(61);
    assert.equal(s.stats().depth, 0);
    await s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a record corrupted after open is skipped by read, never thrown', async () => {
  const dir = tmp();
  try {
    const logs: string[] = [];
    const s = await open(dir, { log: (m) => logs.push(m) });
    await s.append(range(0, 200).map(rec));
    const [file] = segFiles(dir);
    const path = join(dir, file!);
    const buf = readFileSync(path);
    let at = 0;
    for (let i = 0; i < 10; i++) at += 8 + rec(i).length;
    buf[at + 8 + 3] = buf[at + 8 + 3]! ^ 0x01; // record 10's payload
    writeFileSync(path, buf);
    const got = await readAll(s);
    // The next indexed record (64) is the first one known to start at a trusted offset.
    assert.deepEqual(got.map((r) => r.seq), [...range(0, 10), ...range(64, 200)]);
    assert.equal(s.stats().dropped, 54);
    await readAll(s);
    assert.equal(s.stats().dropped, 54, 'counted once');
    assert.ok(logs.some((m) => /CRC mismatch/.test(m)));
    await s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('policy block: an append waits until an ack frees space', async () => {
  const dir = tmp();
  try {
    // ~110-byte records: four fit a 512-byte segment, so 15 records take four segments (~1.7 KiB).
    const big = (n: number) => JSON.stringify({ n, pad: 'x'.repeat(90) });
    const s = await open(dir, { maxBytes: 2048, segmentBytes: 512 });
    for (let i = 0; i < 15; i += 3) await s.append(range(i, i + 3).map(big));
    assert.equal(s.stats().full, false);
    const pending = s.append(range(15, 20).map(big));
    const done = settled(pending);
    await sleep(150);
    assert.equal(done(), false, 'append must wait while the spool is full');
    assert.equal(s.stats().full, true);
    assert.equal(s.stats().nextSeq, 15);
    await s.ack(3); // the first segment still holds record 3: nothing freed
    await sleep(150);
    assert.equal(done(), false, 'no segment freed yet');
    await s.ack(15);
    await pending;
    assert.equal(s.stats().full, false);
    assert.equal(s.stats().dropped, 0);
    assert.deepEqual((await readAll(s)).map((r) => r.json), range(15, 20).map(big));

    // Bigger than maxBytes by itself: goes through once the spool is empty instead of deadlocking.
    await s.ack(20);
    const huge = JSON.stringify({ blob: 'x'.repeat(5000) });
    await s.append([huge]);
    assert.equal((await s.read(20, 10, 1 << 20))[0]?.json, huge);

    // close() rejects an append still waiting for space.
    const stuck = assert.rejects(s.append([big(21)]), /closed/);
    await sleep(20);
    assert.equal(s.stats().full, true);
    await s.close();
    await stuck;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('policy drop_oldest: the oldest records go, counted, the newest stay', async () => {
  const dir = tmp();
  try {
    const drops: number[] = [];
    const s = await open(dir, { maxBytes: 2048, segmentBytes: 512, policy: 'drop_oldest', onDrop: (n) => drops.push(n) });
    for (let i = 0; i < 200; i += 4) await s.append(range(i, i + 4).map(rec));
    const st = s.stats();
    assert.ok(st.dropped > 0);
    assert.equal(drops.reduce((a, b) => a + b, 0), st.dropped);
    assert.ok(st.bytes <= 2048, `bytes ${st.bytes}`);
    assert.equal(st.ackedUpTo, st.dropped, 'ack position moved past what was dropped');
    assert.equal(st.acked, 0);
    assert.equal(st.depth, 200 - st.dropped);
    const got = await readAll(s);
    assert.deepEqual(got.map((r) => r.json), range(st.dropped, 200).map(rec), 'newest kept, contiguous');
    await s.close();
    const again = await open(dir, { maxBytes: 2048, segmentBytes: 512, policy: 'drop_oldest' });
    assert.equal(again.stats().ackedUpTo, st.dropped, 'the drop is durable');
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Runs the writer until a random moment and kills it with SIGKILL. Returns the seq it started
 * at (the spool's nextSeq after recovery) and the highest seq it reported appended.
 */
async function runAndKill(dir: string): Promise<{ started: number; last: number; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (err += d));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  // Kill at a random moment once it is appending.
  const start = Date.now();
  while (!/\n\d+\n/.test(out)) {
    if (child.exitCode !== null || Date.now() - start > 30_000) throw new Error(`writer did not start:\n${out}\n${err}`);
    await sleep(10);
  }
  await sleep(50 + Math.random() * 400);
  child.kill('SIGKILL');
  await exited;
  assert.equal(child.signalCode, 'SIGKILL', err);
  const lines = out.split('\n');
  const started = Number(/^ready (\d+)$/.exec(lines[0]!)?.[1]);
  // Only complete lines count: a line cut short by the kill is ignored.
  const seqs = lines.slice(1, -1).map(Number);
  assert.ok(seqs.length > 0 && seqs.every(Number.isSafeInteger), out);
  return { started, last: Math.max(...seqs), stderr: err };
}

test('kill -9 while appending loses nothing that was reported appended', { timeout: 180_000 }, async () => {
  const dir = tmp();
  try {
    let reported = -1;
    for (let round = 0; round < 5; round++) {
      const run = await runAndKill(dir);
      assert.ok(run.started > reported, `round ${round} recovered to ${run.started}, but ${reported} was reported appended`);
      assert.ok(run.last >= run.started);
      assert.doesNotMatch(run.stderr, /lost|skipping|missing/, 'a kill leaves at most a torn tail');
      reported = run.last;
    }
    const s = await open(dir);
    const st = s.stats();
    assert.ok(st.nextSeq > reported, `nextSeq ${st.nextSeq} must be past ${reported}`);
    assert.equal(st.dropped, 0);
    let expect = 0;
    for (let seq = 0; ; ) {
      const got = await s.read(seq, 5000, 4 << 20);
      if (got.length === 0) break;
      for (const r of got) {
        assert.equal(r.seq, expect, 'every seq once, in order');
        assert.equal(r.json, JSON.stringify({ seq: r.seq, pad: 'p'.repeat(r.seq % 97) }));
        expect++;
      }
      seq = got.at(-1)!.seq + 1;
    }
    assert.equal(expect, st.nextSeq);
    await s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('policy drop_oldest: records read for sending are never dropped; drops count only unsent ones; the bound holds', async () => {
  const dir = tmp();
  try {
    const logs: string[] = [];
    const opts = { maxBytes: 2048, segmentBytes: 512, policy: 'drop_oldest' as const, log: (m: string) => logs.push(m) };
    const s = await open(dir, opts);
    await s.append(range(0, 10).map(rec));
    // The uplink reads 0..9 and sends them; their ack has not come yet.
    const sent = await s.read(0, 10, 1 << 20);
    assert.equal(sent.length, 10);
    let maxBytes = 0;
    for (let i = 10; i < 198; i += 4) {
      await s.append(range(i, i + 4).map(rec));
      maxBytes = Math.max(maxBytes, s.stats().bytes);
    }
    assert.ok(maxBytes <= 2048, `bytes reached ${maxBytes}`);
    const st = s.stats();
    assert.ok(st.dropped > 0);
    assert.equal(st.ackedUpTo, 0, 'nothing acked, and the in-flight records hold the ack position');
    const kept = await readAll(s);
    const keptN = kept.map((r) => JSON.parse(r.json).n as number);
    assert.deepEqual(keptN.slice(0, 10), range(0, 10), 'the in-flight records are all still there');
    assert.equal(keptN.length + st.dropped, 198, 'every record is either kept or counted dropped');
    assert.deepEqual(keptN.slice(-4), range(194, 198), 'the newest are kept');
    assert.ok(segFiles(dir).length <= 2048 / 512 + 2, `tombstones pile up: ${segFiles(dir).join(' ')}`);
    // Their ack comes: they count as acked, and nothing is counted twice.
    await s.ack(10);
    assert.equal(s.stats().acked, 10);
    await s.close();
    // The dropped segments behind the in-flight ones were emptied, not lost to corruption.
    const again = await open(dir, opts);
    assert.equal(again.stats().dropped, 0, 'a restart does not count the drop again');
    assert.deepEqual((await readAll(again)).map((r) => JSON.parse(r.json).n as number), keptN.slice(10));
    await again.close();
    assert.ok(!logs.some((m) => /lost|corrupt|missing/.test(m)), logs.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('policy drop_oldest: an append bigger than the bound keeps its newest records and stays within it', async () => {
  const dir = tmp();
  try {
    const drops: number[] = [];
    const s = await open(dir, { maxBytes: 2048, segmentBytes: 512, policy: 'drop_oldest', onDrop: (n) => drops.push(n) });
    await s.append(range(0, 200).map(rec));
    const st = s.stats();
    assert.ok(st.bytes <= 2048, `bytes ${st.bytes}`);
    assert.ok(st.dropped > 0);
    assert.equal(drops.reduce((a, b) => a + b, 0), st.dropped);
    const got = await readAll(s);
    assert.deepEqual(got.map((r) => r.json), range(st.dropped, 200).map(rec));
    await s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('policy drop_oldest: waits for the ack of in-flight records rather than drop incoming ones', async () => {
  const dir = tmp();
  try {
    const s = await open(dir, { maxBytes: 2048, segmentBytes: 512, policy: 'drop_oldest' });
    const first = range(0, 40);
    await s.append(first.map(rec));
    const sent = await s.read(0, 1000, 1 << 20);
    assert.ok(sent.length > 0);
    const end = sent.at(-1)!.seq + 1;
    const p = s.append(range(40, 80).map(rec));
    await sleep(100);
    await s.ack(end);
    await p;
    assert.equal(s.stats().dropped, 0, 'the ack made room: nothing dropped');
    await s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Descriptors this process holds open on files under `dir`. */
function openFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(dir)) out.push(target);
    } catch { /* closed meanwhile */ }
  }
  return out;
}

test('reads hold at most one segment open, reads side by side share it, and close lets it go', async () => {
  const dir = tmp();
  try {
    const s = await open(dir, { segmentBytes: 512 });
    for (let i = 0; i < 200; i += 7) await s.append(range(i, Math.min(200, i + 7)).map(rec));
    const segs = segFiles(dir).length;
    assert.ok(segs > 10, 'many segments');
    const opened = () => openFilesUnder(dir).filter((f) => f.endsWith('.seg'));
    const before = opened().length; // the segment being appended to
    // Sequential reads across every segment: one held for reading, never one a segment.
    assert.deepEqual((await readAll(s)).map((r) => r.seq), range(0, 200));
    assert.ok(opened().length <= before + 1, `${opened().length} segment files open after reading ${segs}`);
    // Reads of different segments at once: each gets its records, neither closes the other's file.
    const parts = await Promise.all([s.read(0, 5, 1 << 20), s.read(150, 5, 1 << 20), s.readPayloads(90, 5, 1 << 20), s.read(3, 5, 1 << 20)]);
    assert.deepEqual(parts[0]!.map((r) => r.json), range(0, 5).map(rec));
    assert.deepEqual(parts[1]!.map((r) => r.json), range(150, 155).map(rec));
    assert.deepEqual((parts[2] as { payloads: Buffer[] }).payloads.map((b) => b.toString()), range(90, 95).map(rec));
    (parts[2] as { release: () => void }).release();
    assert.deepEqual(parts[3]!.map((r) => r.json), range(3, 8).map(rec));
    await s.close();
    await sleep(50);
    assert.deepEqual(opened(), [], 'nothing left open after close');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
