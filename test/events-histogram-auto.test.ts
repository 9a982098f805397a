// The histogram's `interval=auto` (the Events page's "All time" and custom ranges): the bucket
// width comes from when the matching events happened, first to last, so events of one afternoon
// or of a few days both spread over a readable number of bars instead of one bar a day wide.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestExchange, cleanup, enrollDevice, DeviceSocket, intrusion, settled, type TestExchange } from './helpers/exchange.js';
import { AUTO_MAX_BARS, autoIntervalSeconds } from '../src/exchange/api/histogram-interval.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const span = (first: number, last: number) => ({ first: iso(first), last: iso(last) });

/** How many buckets of `secs` the span covers, cut at multiples of the width as the stores do. */
const barsOf = (first: number, last: number, secs: number) => Math.floor(last / (secs * 1000)) - Math.floor(first / (secs * 1000)) + 1;

test('auto picks the narrowest readable width that fits the span in at most 60 bars', () => {
  const T = Date.parse('2026-03-02T00:00:00.000Z');
  assert.equal(autoIntervalSeconds(span(T + 2 * HOUR, T + 8 * HOUR)), 600, 'six hours: 10 minutes');
  assert.equal(autoIntervalSeconds(span(T, T + 5 * DAY)), 3 * 3600, 'five days: 3 hours');
  assert.equal(autoIntervalSeconds(span(T, T + 45_000)), 1, '45 seconds: seconds');
  assert.equal(autoIntervalSeconds(span(T, T)), 1, 'one event: one bar');
  assert.equal(autoIntervalSeconds(span(T - 200 * 366 * DAY, T)), 366 * 86400, 'centuries: the widest there is');
  assert.equal(autoIntervalSeconds(null), 3600, 'no events: the default');
  // Whatever the span and where it starts: at most 60 bars, and never a width a step too wide.
  let seed = 7;
  const rnd = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32; };
  for (let i = 0; i < 2000; i++) {
    const first = T + Math.floor(rnd() * 400 * DAY);
    const last = first + Math.floor(Math.exp(rnd() * Math.log(20 * 366 * DAY)));
    const secs = autoIntervalSeconds(span(first, last));
    const bars = barsOf(first, last, secs);
    assert.ok(bars <= AUTO_MAX_BARS, `${iso(first)}–${iso(last)}: ${bars} bars of ${secs} s`);
    if (secs > 1) assert.ok(bars >= AUTO_MAX_BARS / 3, `${iso(first)}–${iso(last)}: only ${bars} bars of ${secs} s`);
  }
});

let t: TestExchange;
before(async () => { t = await startTestExchange(); });
after(async () => { await t.close(); cleanup(t.dataDir); });

test('GET /api/v1/events/histogram?interval=auto spreads an afternoon and a few days over many bars', async () => {
  const dev = await enrollDevice(t, 'auto-sensor');
  const s = await DeviceSocket.connect(dev);
  await s.hello();
  // Recent (retention prunes events older than 30 days), and the afternoon inside one UTC day:
  // one bar a day wide would hold all of it.
  const day = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;
  const afternoon = Array.from({ length: 120 }, (_, i) => day + 12 * HOUR + i * 3 * 60_000);
  const days = Array.from({ length: 100 }, (_, i) => day - 4 * DAY + i * Math.floor(4 * DAY / 100));
  await s.sendBatch(1, afternoon.map((ms) => intrusion({ dst_ip: '192.0.2.81', time: iso(ms) })));
  await s.sendBatch(2, days.map((ms) => intrusion({ dst_ip: '192.0.2.82', time: iso(ms) })));
  s.close();
  await settled();

  for (const [ip, times] of [['192.0.2.81', afternoon], ['192.0.2.82', days]] as const) {
    const h = await t.api(`/api/v1/events/histogram?interval=auto&observable=${ip}`);
    assert.equal(h.status, 200, h.text);
    const secs = h.body.interval_seconds as number;
    const buckets = h.body.data as Array<{ start: string; count: number }>;
    const first = Math.min(...times);
    const last = Math.max(...times);
    assert.equal(secs, autoIntervalSeconds(span(first, last)), `${ip}: the width the events' own span gives`);
    assert.ok(buckets.length >= 20 && barsOf(first, last, secs) <= AUTO_MAX_BARS, `${ip}: ${buckets.length} buckets of ${secs} s`);
    assert.equal(buckets.reduce((n, b) => n + b.count, 0), times.length, `${ip}: every event counted once`);
    assert.ok(buckets.every((b) => Date.parse(b.start) % (secs * 1000) === 0), `${ip}: buckets start at multiples of the width`);
  }

  // By time alone (the per-minute counts on SQLite): the span is everything, first to last.
  const all = await t.api('/api/v1/events/histogram?interval=auto');
  assert.equal(all.status, 200, all.text);
  assert.equal(all.body.interval_seconds, autoIntervalSeconds(span(Math.min(...days), Math.max(...afternoon))));
  assert.ok(all.body.data.length >= 20, `${all.body.data.length} buckets`);
  assert.equal(all.body.data.reduce((n: number, b: { count: number }) => n + b.count, 0), afternoon.length + days.length);

  // Nothing matches: no buckets, no error.
  const none = await t.api('/api/v1/events/histogram?interval=auto&observable=192.0.2.99');
  assert.equal(none.status, 200, none.text);
  assert.deepEqual(none.body.data, []);
  // A fixed interval still means what it says.
  const fixed = await t.api('/api/v1/events/histogram?interval=1d&observable=192.0.2.81');
  assert.deepEqual([fixed.body.interval_seconds, fixed.body.data.length], [86400, 1]);
});
