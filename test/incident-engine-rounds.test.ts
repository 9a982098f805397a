// The incident engine over a backlog: it reads a round of many batches before it writes, so a
// group's events across the round become one promotion (one sighting write), and a flood of
// alerts costs a few writes per group rather than a few per thousand events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestExchange, cleanup, enrollDevice, DeviceSocket, intrusion } from './helpers/exchange.js';
import { IncidentEngine, CURSOR } from '../src/response/incidents/engine.js';
import { incidentEngineOf } from '../src/response/incidents/part.js';
import { ctiaIncidentSink } from '../src/response/store/ctia-sink.js';
import type { IncidentSink } from '../src/response/incidents/sink.js';

test('a backlog of 3,000 events of one group is one sighting write with the count of all; other events read past', async () => {
  const t = await startTestExchange();
  try {
    const rc = t.ex.response.context();
    // The server's own engine stands still, so the events wait as a backlog would in a flood.
    await incidentEngineOf(rc).stop();
    const sock = await DeviceSocket.connect(await enrollDevice(t, 'round-sensor'));
    await sock.hello();
    const p1 = { gid: 1, sid: 2024777, rev: 1, message: 'ET MALWARE round test', classification: 'trojan-activity', priority: 1 };
    const p3 = { gid: 1, sid: 2024778, rev: 1, message: 'ET INFO not promoted', classification: 'misc-activity', priority: 3 };
    let seq = 0;
    for (let b = 0; b < 6; b++) {
      // 500 a frame, one in five of priority 3 (no rule takes them).
      const evs = Array.from({ length: 500 }, (_, i) => intrusion({ signature: i % 5 === 4 ? p3 : p1 }));
      assert.equal((await sock.sendBatch(++seq, evs)).accepted, 500);
    }
    sock.close();

    const real = ctiaIncidentSink(rc.stores.ctia);
    let puts = 0;
    const counting: IncidentSink = { ...real, putSighting: async (...a) => { puts++; await real.putSighting(...a); } };
    const engine = new IncidentEngine(rc, counting);
    engine.start();
    await engine.drained();
    await engine.stop();

    assert.equal(puts, 1, 'one write for the group, not one per batch of 1,000');
    const list = (await t.api('/ctia/incident/search?limit=10')).body as any[];
    assert.equal(list.length, 1);
    const ss = (await t.api(`/ctia/incident/${encodeURIComponent(list[0].id)}/sightings`)).body;
    assert.equal((Array.isArray(ss) ? ss : ss.data)[0].count, 2400);
    // The cursor is past the last event, priority 3 ones included: nothing is read twice.
    const last = (await t.api('/api/v1/events?limit=1')).body.data[0].id;
    assert.equal(await rc.stores.cursors.get(CURSOR), last);
  } finally {
    await t.close();
    cleanup(t.dataDir);
  }
});
