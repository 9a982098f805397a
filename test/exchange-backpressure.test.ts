// Backpressure by withholding acks, never by dropping: with a slow store, the exchange stops
// reading a device's socket once its window of batches awaits commit, and every batch is still
// acked and stored in the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestExchange, cleanup, enrollDevice, DeviceSocket, intrusion, settled } from './helpers/exchange.js';
import { WRITER_INFLIGHT } from '../src/exchange/bus/nats.js';

test('a slow store pauses the device instead of dropping its batches', { timeout: 60_000 }, async () => {
  const t = await startTestExchange();
  try {
    const dev = await enrollDevice(t, 'flood');
    const store = t.ex.ctx.stores.events;
    const commit = store.commit.bind(store);
    let maxQueued = 0;
    store.commit = async (items) => {
      maxQueued = Math.max(maxQueued, t.ex.ctx.committer.depth + items.length);
      await new Promise((r) => setTimeout(r, 150));
      return commit(items);
    };
    const s = await DeviceSocket.connect(dev);
    await s.hello();
    const window = t.ex.ctx.config.ingest.windowPerConnection;
    const batches = 60;
    const per = 50;
    for (let seq = 1; seq <= batches; seq++) {
      s.ws.send(JSON.stringify({ type: 'batch', seq, events: Array.from({ length: per }, (_, i) => intrusion({ event_id: `bp-${seq}-${i}`, src_ip: '10.88.0.1' })) }));
    }
    // Every batch's ack, in whatever order: with JetStream a batch is acked when the stream has
    // it, and the last batch's publish may complete before an earlier one's.
    const acked = new Set<number>();
    await s.waitFor((f) => f.type === 'ack' && acked.add(f.seq).size === batches, 50_000);
    const acks = s.frames.filter((f) => f.type === 'ack');
    assert.equal(acks.length, batches, 'every batch acked');
    assert.ok(acks.every((a) => a.type === 'ack' && a.accepted === per));
    // Never more than the window's worth waited in memory for the store: the device's window
    // in-process; with JetStream the device is acked from the stream, and what waits for the
    // store is what the node's writer took from it.
    const bound = t.ex.ctx.bus.kind === 'memory' ? window * per : WRITER_INFLIGHT * per;
    assert.ok(maxQueued <= bound, `queued ${maxQueued} events; the bound is ${bound}`);
    await settled();
    assert.equal(await t.ex.ctx.stores.events.count(), batches * per);
    s.close();
  } finally {
    await t.close();
    cleanup(t.dataDir);
  }
});
