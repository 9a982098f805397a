import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_RAW_BYTES, REJECT, validateEvent } from '../src/events/validate.js';
import { normalizeObservable, type ObservableType } from '../src/observables/index.js';

/** A full intrusion event with every field set, as a Suricata connector would send it. */
function intrusion(): Record<string, unknown> {
  return {
    event_id: 'eve.json:1048576',
    device_id: 'ignored-by-the-exchange',
    type: 'intrusion',
    time: '2024-01-01T10:00:00.123456+0000',
    src_ip: '10.0.0.5',
    src_port: 51234,
    dst_ip: '203.0.113.7',
    dst_port: 80,
    protocol: 'tcp',
    signature: {
      gid: 1,
      sid: 2024897,
      rev: 3,
      message: 'ET USER_AGENTS Go HTTP Client User-Agent',
      classification: 'Potentially Bad Traffic',
      priority: 2,
    },
    impact: 1,
    action: 'would_block',
    app_proto: 'http',
    policy: 'Balanced Security and Connectivity',
    observables: { domain: ['example.test'], url: ['http://example.test/a'], user: ['alice'] },
    raw: { timestamp: '2024-01-01T10:00:00.123456+0000', event_type: 'alert', flow_id: 1234567890 },
  };
}

function rejected(input: unknown): { code: string; reason: string } {
  const r = validateEvent(input);
  assert.equal(r.ok, false, `expected a rejection for ${JSON.stringify(input)?.slice(0, 200)}`);
  if (r.ok) throw new Error('unreachable');
  return r;
}

test('a full valid intrusion event passes, copied, with time normalised and input untouched', () => {
  const input = intrusion();
  const before = structuredClone(input);
  const r = validateEvent(input);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.deepEqual(input, before, 'input must not be mutated');
  assert.notEqual(r.event, input);
  assert.deepEqual(r.event, { ...before, time: '2024-01-01T10:00:00.123Z' });
});

test('minimal events of every type pass; only intrusion needs a signature', () => {
  for (const type of ['connection', 'file', 'malware']) {
    const r = validateEvent({ event_id: 'x', type, time: '2024-01-01T00:00:00Z' });
    assert.ok(r.ok, r.ok ? '' : r.reason);
  }
  const r = rejected({ event_id: 'x', type: 'intrusion', time: '2024-01-01T00:00:00Z' });
  assert.equal(r.code, REJECT.MISSING_FIELD);
  assert.match(r.reason, /^signature: /);
});

test('REJECT holds the documented codes', () => {
  assert.deepEqual(Object.values(REJECT).sort(), [
    'bad_type',
    'bad_value',
    'missing_field',
    'not_object',
    'too_large',
    'unknown_field',
  ]);
  assert.equal(MAX_RAW_BYTES, 65536);
});

// [name, change to a valid intrusion event, expected code, text the reason must start with]
type Case = [string, (e: Record<string, unknown>) => void, string, string];
const cases: Case[] = [
  ['event_id missing', (e) => delete e.event_id, REJECT.MISSING_FIELD, 'event_id: '],
  ['type missing', (e) => delete e.type, REJECT.MISSING_FIELD, 'type: '],
  ['time missing', (e) => delete e.time, REJECT.MISSING_FIELD, 'time: '],
  ['event_id empty', (e) => (e.event_id = ''), REJECT.BAD_VALUE, 'event_id: ""'],
  ['event_id too long', (e) => (e.event_id = 'x'.repeat(201)), REJECT.TOO_LARGE, 'event_id: "xxx'],
  ['event_id a number', (e) => (e.event_id = 42), REJECT.BAD_TYPE, 'event_id: 42'],
  ['device_id a number', (e) => (e.device_id = 7), REJECT.BAD_TYPE, 'device_id: 7'],
  ['type not in the enum', (e) => (e.type = 'alert'), REJECT.BAD_VALUE, 'type: "alert" is not one of intrusion, connection, file, malware'],
  ['time without a zone', (e) => (e.time = '2024-01-01T10:00:00'), REJECT.BAD_VALUE, 'time: "2024-01-01T10:00:00"'],
  ['time not a date', (e) => (e.time = 'yesterday'), REJECT.BAD_VALUE, 'time: "yesterday"'],
  ['time on 30 February', (e) => (e.time = '2024-02-30T10:00:00Z'), REJECT.BAD_VALUE, 'time: '],
  ['time as epoch seconds', (e) => (e.time = 1704103200), REJECT.BAD_TYPE, 'time: 1704103200'],
  ['dst_port over 65535', (e) => (e.dst_port = 70000), REJECT.BAD_VALUE, 'dst_port: 70000 is not an integer 0–65535'],
  ['src_port negative', (e) => (e.src_port = -1), REJECT.BAD_VALUE, 'src_port: -1'],
  ['src_port fractional', (e) => (e.src_port = 80.5), REJECT.BAD_VALUE, 'src_port: 80.5'],
  ['dst_port a string', (e) => (e.dst_port = '80'), REJECT.BAD_TYPE, 'dst_port: "80"'],
  ['src_ip not an address', (e) => (e.src_ip = '10.0.0.256'), REJECT.BAD_VALUE, 'src_ip: "10.0.0.256"'],
  ['dst_ip a host name', (e) => (e.dst_ip = 'example.test'), REJECT.BAD_VALUE, 'dst_ip: "example.test"'],
  ['dst_ip a number', (e) => (e.dst_ip = 167772165), REJECT.BAD_TYPE, 'dst_ip: 167772165'],
  ['signature not an object', (e) => (e.signature = 'ET foo'), REJECT.BAD_TYPE, 'signature: "ET foo"'],
  ['signature without sid', (e) => delete (e.signature as Record<string, unknown>).sid, REJECT.MISSING_FIELD, 'signature.sid: '],
  ['signature gid negative', (e) => ((e.signature as Record<string, unknown>).gid = -1), REJECT.BAD_VALUE, 'signature.gid: -1'],
  ['signature sid a string', (e) => ((e.signature as Record<string, unknown>).sid = '2024897'), REJECT.BAD_TYPE, 'signature.sid: "2024897"'],
  ['signature rev fractional', (e) => ((e.signature as Record<string, unknown>).rev = 1.5), REJECT.BAD_VALUE, 'signature.rev: 1.5'],
  ['signature message too long', (e) => ((e.signature as Record<string, unknown>).message = 'm'.repeat(1025)), REJECT.TOO_LARGE, 'signature.message: "mmm'],
  ['signature classification a number', (e) => ((e.signature as Record<string, unknown>).classification = 3), REJECT.BAD_TYPE, 'signature.classification: 3'],
  ['signature priority 0', (e) => ((e.signature as Record<string, unknown>).priority = 0), REJECT.BAD_VALUE, 'signature.priority: 0'],
  ['signature priority 256', (e) => ((e.signature as Record<string, unknown>).priority = 256), REJECT.BAD_VALUE, 'signature.priority: 256'],
  ['signature unknown key', (e) => ((e.signature as Record<string, unknown>).category = 'x'), REJECT.UNKNOWN_FIELD, 'signature.category: unknown field'],
  ['impact 6', (e) => (e.impact = 6), REJECT.BAD_VALUE, 'impact: 6'],
  ['impact a string', (e) => (e.impact = 'high'), REJECT.BAD_TYPE, 'impact: "high"'],
  ['action not in the enum', (e) => (e.action = 'dropped'), REJECT.BAD_VALUE, 'action: "dropped" is not one of allowed, blocked, would_block'],
  ['protocol too long', (e) => (e.protocol = 'p'.repeat(65)), REJECT.TOO_LARGE, 'protocol: "ppp'],
  ['protocol a number', (e) => (e.protocol = 6), REJECT.BAD_TYPE, 'protocol: 6'],
  ['app_proto too long', (e) => (e.app_proto = 'a'.repeat(65)), REJECT.TOO_LARGE, 'app_proto: '],
  ['policy too long', (e) => (e.policy = 'p'.repeat(257)), REJECT.TOO_LARGE, 'policy: '],
  ['observables an array', (e) => (e.observables = ['example.test']), REJECT.BAD_TYPE, 'observables: an array of 1 item'],
  ['observables unknown kind', (e) => (e.observables = { ip: ['10.0.0.1'] }), REJECT.UNKNOWN_FIELD, 'observables.ip: unknown field'],
  ['observables list a string', (e) => (e.observables = { domain: 'example.test' }), REJECT.BAD_TYPE, 'observables.domain: "example.test"'],
  ['observables item a number', (e) => (e.observables = { md5: ['a', 5] }), REJECT.BAD_TYPE, 'observables.md5[1]: 5'],
  ['observables 101 items', (e) => (e.observables = { url: Array.from({ length: 101 }, (_, i) => `u${i}`) }), REJECT.TOO_LARGE, 'observables.url: an array of 101 items'],
  ['observables item too long', (e) => (e.observables = { url: ['u'.repeat(4097)] }), REJECT.TOO_LARGE, 'observables.url[0]: "uuu'],
  ['unknown top-level field', (e) => (e.severity = 1), REJECT.UNKNOWN_FIELD, 'severity: unknown field'],
  ['raw object over the limit', (e) => (e.raw = { payload: 'A'.repeat(MAX_RAW_BYTES) }), REJECT.TOO_LARGE, 'raw: '],
  ['raw string over the limit', (e) => (e.raw = 'é'.repeat(MAX_RAW_BYTES / 2)), REJECT.TOO_LARGE, 'raw: '],
];

for (const [name, change, code, reasonStart] of cases) {
  test(`rejects: ${name} → ${code}`, () => {
    const e = intrusion();
    change(e);
    const r = rejected(e);
    assert.equal(r.code, code, r.reason);
    assert.ok(r.reason.startsWith(reasonStart), `reason ${JSON.stringify(r.reason)} should start with ${JSON.stringify(reasonStart)}`);
    assert.ok(r.reason.length < 400, `reason too long: ${r.reason.length}`);
  });
}

test('Suricata and other ISO-8601 times are normalised to toISOString()', () => {
  const expect: [string, string][] = [
    ['2024-01-01T10:00:00.123456+0000', '2024-01-01T10:00:00.123Z'],
    ['2024-01-01T10:00:00.999999999+0000', '2024-01-01T10:00:00.999Z'],
    ['2024-01-01T10:00:00+01:00', '2024-01-01T09:00:00.000Z'],
    ['2024-01-01T10:00:00.5-0530', '2024-01-01T15:30:00.500Z'],
    ['2024-01-01T01:00:00+05', '2023-12-31T20:00:00.000Z'],
    ['2024-01-01 10:00:00Z', '2024-01-01T10:00:00.000Z'],
    ['2024-02-29t10:00:00.1z', '2024-02-29T10:00:00.100Z'],
  ];
  for (const [time, iso] of expect) {
    const r = validateEvent({ event_id: 'x', type: 'connection', time });
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.equal(r.event.time, iso, time);
    assert.equal(new Date(r.event.time).toISOString(), iso);
  }
});

test('a leap second is folded into the next second', () => {
  const r = validateEvent({ event_id: 'x', type: 'connection', time: '2016-12-31T23:59:60Z' });
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.equal(r.event.time, '2017-01-01T00:00:00.000Z');
});

test('normalised time agrees with Date for random times and offsets', () => {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  let seed = 12345;
  const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  for (let i = 0; i < 2000; i++) {
    const t = new Date(Date.UTC(1971 + rnd(100), 0, 1) + rnd(366 * 86400000));
    const zone = rnd(3) === 0 ? 'Z' : `${rnd(2) ? '+' : '-'}${pad(rnd(3) === 0 ? 0 : rnd(15))}:${pad(rnd(2) ? 0 : rnd(60))}`;
    const s = `${t.toISOString().slice(0, 19)}.${pad(rnd(1000), 3)}${zone}`;
    const r = validateEvent({ event_id: 'x', type: 'connection', time: s });
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.equal(r.event.time, new Date(s).toISOString(), s);
  }
});

test('IPv6 addresses are accepted, and given back as RFC 5952 writes them', () => {
  const cases: [string, string][] = [
    ['2001:db8::1', '2001:db8::1'],
    ['::1', '::1'],
    ['fe80::1ff:fe23:4567:890a', 'fe80::1ff:fe23:4567:890a'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    // As Suricata writes them in EVE: every group in full.
    ['2001:0db8:0000:0000:0000:ff00:0042:8329', '2001:db8::ff00:42:8329'],
    ['2001:0DB8:0010:0000:0000:0000:0000:0005', '2001:db8:10::5'],
    ['0000:0000:0000:0000:0000:ffff:c000:0201', '::ffff:192.0.2.1'],
  ];
  for (const [addr, canonical] of cases) {
    const e = intrusion();
    e.src_ip = addr;
    e.dst_ip = addr;
    const r = validateEvent(e);
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.equal(r.event.src_ip, canonical, addr);
    assert.equal(r.event.dst_ip, canonical, addr);
    assert.equal(e.src_ip, addr, 'the input is left as it was');
  }
  const v4 = intrusion();
  v4.src_ip = '192.0.2.10';
  const r4 = validateEvent(v4);
  assert.ok(r4.ok);
  assert.equal(r4.event.src_ip, '192.0.2.10');
  const e = intrusion();
  e.dst_ip = '2001:db8:::1';
  assert.equal(rejected(e).code, REJECT.BAD_VALUE);
});

test('URL observables are given back as the WHATWG parser writes them; the input is left as it was', () => {
  const e = intrusion();
  const asSent = ['HTTP://Drop.Example:80/a{b}/c d?q=<x>', 'http://drop.example/a%7Bb%7D/c%20d?q=%3Cx%3E', 'hxxp://not-a-url', 'http://ok.example/'];
  e.observables = { url: asSent, domain: ['drop.example'] };
  const r = validateEvent(e);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  // Two spellings of one URL are one; what the parser does not take stays as it came.
  assert.deepEqual(r.event.observables, { url: ['http://drop.example/a%7Bb%7D/c%20d?q=%3Cx%3E', 'hxxp://not-a-url', 'http://ok.example/'], domain: ['drop.example'] });
  assert.deepEqual((e.observables as { url: string[] }).url, asSent);
  const plain = intrusion();
  plain.observables = { url: ['http://ok.example/x'] };
  const p = validateEvent(plain);
  assert.ok(p.ok);
  assert.equal(p.event.observables, plain.observables, 'nothing to change: the same object');
});

test('every observable is stored as enrich spells the same value, or as it came when enrich would keep it so', () => {
  const samples: Record<string, string[]> = {
    domain: ['Evil.Example.COM', 'evil.example.com', 'пример.рф', 'xn--e1afmkfd.xn--p1ai', 'intranet', 'a..b', 'под.example'],
    url: ['HTTP://Evil.Example:80/a{b}?q=<x>', 'https://evil.example/ok', 'ftp://Files.Example/x y', 'not a url', 'javascript:alert(1)'],
    md5: ['D41D8CD98F00B204E9800998ECF8427E', 'd41d8cd98f00b204e9800998ecf8427e', 'ZZ1D8CD98F00B204E9800998ECF8427E'],
    sha1: ['DA39A3EE5E6B4B0D3255BFEF95601890AFD80709'],
    sha256: ['9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08'],
    email: ['John.Doe@Corp.Example.COM', 'x@пример.рф', 'no-at-sign', '@example.com'],
    user: ['CORP\\Bob'],
    file_name: ['Invoice.PDF'],
  };
  for (const [kind, values] of Object.entries(samples)) {
    for (const v of values) {
      const e = intrusion();
      e.observables = { [kind]: [v] };
      const r = validateEvent(e);
      assert.ok(r.ok, r.ok ? '' : r.reason);
      const viaEnrich = normalizeObservable(kind as ObservableType, v);
      // Where enrich refuses a value (an e-mail whose domain is not public, say) it keeps it as
      // typed; so does the store, but for the domain of an address.
      const want = viaEnrich ?? (kind === 'email' && v.includes('@') && v.lastIndexOf('@') > 0 ? `${v.slice(0, v.lastIndexOf('@'))}@${normalizeObservable('domain', v.slice(v.lastIndexOf('@') + 1)) ?? v.slice(v.lastIndexOf('@') + 1)}` : v);
      assert.deepEqual(r.event.observables, { [kind]: [want] }, `${kind} ${v}`);
    }
  }
});

test('raw within the limit, and raw of any JSON type, is accepted', () => {
  for (const raw of [{ payload: 'A'.repeat(MAX_RAW_BYTES - 20) }, 'x'.repeat(1000), 42, true, null, ['a', 1]]) {
    const e = intrusion();
    e.raw = raw;
    const r = validateEvent(e);
    assert.ok(r.ok, r.ok ? '' : r.reason);
  }
});

test('non-objects are rejected with not_object and a short reason', () => {
  const garbage = 'G\u0000'.repeat(5000); // 10 kB of garbage
  const r = rejected(garbage);
  assert.equal(r.code, REJECT.NOT_OBJECT);
  assert.match(r.reason, /^event: /);
  assert.ok(r.reason.length < 200, `reason too long: ${r.reason.length}`);
  for (const v of [null, undefined, 42, true, [intrusion()], '{"event_id":"x"}']) {
    assert.equal(rejected(v).code, REJECT.NOT_OBJECT, String(v));
  }
});

test('time: accepted exactly where RFC 3339 as ajv-formats checks it (strict zone) accepts it', async () => {
  const { fullFormats } = (await import('ajv-formats/dist/formats.js')) as unknown as { fullFormats: Record<string, { validate: (s: string) => boolean }> };
  const reference = fullFormats['date-time']!.validate;
  const dates = ['0000-01-01', '1900-02-29', '2000-02-29', '2023-02-29', '2024-02-29', '2024-00-10', '2024-13-01', '2024-04-31', '2024-12-31', '2024-01-00', '2024-01-32', '999-01-01'];
  const times = ['00:00:00', '23:59:59', '23:59:60', '24:00:00', '12:60:00', '00:00:60', '22:59:60', '23:58:60', '00:59:60', '12:00:61', '9:00:00'];
  const fractions = ['', '.1', '.123456789'];
  const zones = ['Z', 'z', '+00:00', '+0000', '+00', '-01:00', '+01:00', '+24:00', '+01:60', '+23:59', '-00:01', '-23:59', '', '+1'];
  let accepted = 0;
  let n = 0;
  for (const d of dates) for (const sep of ['T', 't', ' ']) for (const t of times) for (const f of fractions) for (const z of zones) {
    const s = `${d}${sep}${t}${f}${z}`;
    const want = reference(s);
    const got = validateEvent({ ...intrusion(), time: s });
    assert.equal(got.ok, want, `${JSON.stringify(s)}: ${got.ok ? 'accepted' : (got as { reason: string }).reason}`);
    if (want) accepted++;
    n++;
  }
  assert.ok(accepted > 100 && accepted < n - 100, `${accepted} of ${n} accepted: both kinds are tried`);
});
