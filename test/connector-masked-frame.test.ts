// Batch frames are masked in the buffer they are built in (masked-frame.ts) instead of by ws. A
// WebSocket server must read them as the same text frames ws would send: ws's own Receiver, in
// server mode (which refuses unmasked frames), parses each one back to its payload.
import test from 'node:test';
import assert from 'node:assert/strict';
import type { Writable } from 'node:stream';
import * as ws from 'ws';
import { maskedHeaderBytes, maskTextFrameInPlace } from '../src/connector/uplink/masked-frame.js';

// ws's frame parser (exported at runtime, absent from @types/ws): a Writable of frame bytes.
const Receiver = (ws as unknown as { Receiver: new (o: { isServer: boolean; maxPayload: number }) => Writable }).Receiver;

function framed(payload: Buffer): Buffer {
  const h = maskedHeaderBytes(payload.length);
  const buf = Buffer.alloc(h + payload.length + 100, 0xee);
  payload.copy(buf, h);
  return maskTextFrameInPlace(buf, payload.length);
}

function receive(frames: Buffer[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const got: string[] = [];
    const r = new Receiver({ isServer: true, maxPayload: 0 });
    r.on('message', (data: Buffer, isBinary: boolean) => {
      assert.equal(isBinary, false, 'a text frame');
      got.push(data.toString());
      if (got.length === frames.length) resolve(got);
    });
    r.on('error', reject);
    // In pieces, as a socket delivers them.
    const all = Buffer.concat(frames);
    for (let i = 0; i < all.length; i += 7_001) r.write(all.subarray(i, i + 7_001));
  });
}

test('a masked frame reads back as its text at every length encoding', async () => {
  // Byte lengths either side of each boundary: 7-bit, 16-bit and 64-bit lengths.
  const texts = [0, 1, 47, 48, 125, 126, 127, 65_535, 65_536, 70_000, 600_000].map((n) => {
    // é is two bytes in UTF-8: one multi-byte character in every text long enough for it.
    const head = n >= 2 ? 'é' : '';
    const pad = Array.from({ length: n - Buffer.byteLength(head) }, (_, i) => String.fromCharCode(0x20 + (i % 90))).join('');
    return head + pad;
  });
  const frames = texts.map((t) => framed(Buffer.from(t)));
  for (const [i, f] of frames.entries()) {
    const n = Buffer.byteLength(texts[i]!);
    assert.equal(f.length, maskedHeaderBytes(n) + n, 'sliced to the frame');
    assert.equal(f[1]! & 0x80, 0x80, 'the mask bit is set');
  }
  assert.deepEqual(await receive(frames), texts);
});

test('each frame gets its own random masking key, and the payload on the wire is masked', () => {
  const text = Buffer.from('{"type":"batch","seq":1,"events":[]}'.repeat(10));
  const keys = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const f = framed(text);
    const h = maskedHeaderBytes(text.length);
    keys.add(f.subarray(h - 4, h).toString('hex'));
    assert.notDeepEqual(f.subarray(h), text, 'not sent in the clear');
  }
  assert.equal(keys.size, 50, 'no key repeats');
});
