// The log check: the lines the troubleshooting note quotes are diagnosed as the note does
// (egress blocked to the eventing endpoint; the post-upgrade ZeroMQ case with its restart
// sequence), and every known signature from the texts the connector really writes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectorLog, SITES, formatLogLine, goErrorText, goQuote, localApiListenFailed, READ_DEADLINE, zmqEndpointMissing, type LogSite, type NetErrorLike } from '../src/connector/log.js';
import { analyseLog } from '../src/doctor/log/analyse.js';
import { goUnquote, parseLog } from '../src/doctor/log/parse.js';
import { logResult } from '../src/doctor/checks/log.js';
import { restartSequence } from '../src/doctor/remedies.js';
import { runCliToEnd } from './helpers/process.js';

const dir = mkdtempSync(join(tmpdir(), 'tl-doctor-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (text: string): string => {
  const f = join(dir, `connector-${++n}.log`);
  writeFileSync(f, text);
  return f;
};

// Verbatim from the note, wrapped where its page wrapped them.
const NOTE_DIAL_TIMEOUTS = `time="2020-04-13T14:34:02.88472046-05:00" level=error msg="[firepower.cisco.com][events.go:90
events:connectWebSocket] dial tcp 18.205.49.246:443: getsockopt: connection timed out"
time="2020-04-13T14:38:18.244707779-05:00" level=error msg="[firepower.cisco.com][events.go:90
events:connectWebSocket] dial tcp 100.25.93.234:443: getsockopt: connection timed out"
time="2020-04-13T14:42:42.564695622-05:00" level=error msg="[firepower.cisco.com][events.go:90
events:connectWebSocket] dial tcp 18.205.49.246:443: getsockopt: connection timed out"
time="2020-04-13T14:47:48.484762429-05:00" level=error msg="[firepower.cisco.com][events.go:90
events:connectWebSocket] dial tcp 100.25.93.234:443: getsockopt: connection timed out"
time="2020-04-13T14:52:38.404700083-05:00" level=error msg="[firepower.cisco.com][events.go:90
events:connectWebSocket] dial tcp 100.25.93.234:443: getsockopt: connection timed out"
`;
// The note's ZeroMQ line as it quotes it (in translation, wrapped).
const NOTE_ZMQ = `(*Service). Start] Could not connect to ZeroMQ PUSH endpoint:无法拨号到
"ipc:///ngfw/var/sf/run/EventHandler_SSEConnector.sock"拨号unix
/ngfw/var/sf/run/EventHandler_SSEConnector.sock:连接:没有此类文件或目录\\n
`;
const NOTE_ENDPOINT = 'ipc:///ngfw/var/sf/run/EventHandler_SSEConnector.sock';

test("the note's dial timeouts: egress blocked to the eventing endpoint, both addresses, allow by name", () => {
  const a = analyseLog(NOTE_DIAL_TIMEOUTS, 'end');
  assert.equal(a.entries, 5, 'wrapped lines are joined back');
  assert.equal(a.hits.length, 1);
  const h = a.hits[0]!;
  assert.equal(h.signature.id, 'dial_timeout');
  assert.equal(h.fn, 'events:connectWebSocket');
  assert.equal(h.role, 'eventing');
  assert.equal(h.count, 5);
  assert.equal(h.recent, 4, 'the first line is more than 15 minutes before the log ends');
  assert.deepEqual(h.subjects, ['18.205.49.246:443', '100.25.93.234:443']);
  assert.equal(h.first.timeText, '2020-04-13T14:34:02.88472046-05:00');
  assert.equal(h.last.timeText, '2020-04-13T14:52:38.404700083-05:00');
  assert.equal(h.status, 'fail');

  const r = logResult([file(NOTE_DIAL_TIMEOUTS)], 'end', { endpoints: { eventing: new URL('wss://eventing-ingest.sse.itd.cisco.com/') } });
  assert.equal(r.status, 'fail');
  assert.match(r.cause!, /eventing endpoint eventing-ingest\.sse\.itd\.cisco\.com.*egress is blocked/);
  assert.match(r.remedy!, /allow outbound TCP 443 .* to eventing-ingest\.sse\.itd\.cisco\.com by name/);
  assert.match(r.remedy!, /18\.205\.49\.246:443, 100\.25\.93\.234:443/);
  assert.ok(r.evidence.some((e) => /dial_timeout ×5 \(4 recent\), first 2020-04-13T14:34:02\.88472046-05:00, last 2020-04-13T14:52:38\.404700083-05:00 \[events:connectWebSocket\]/.test(e)), r.evidence.join('\n'));
});

test("the note's ZeroMQ case, as quoted and as the connector writes it: post-upgrade, with the restart sequence", () => {
  for (const text of [NOTE_ZMQ, formatLogLine('error', 'firepower.cisco.com', SITES.zmqStart, zmqEndpointMissing(NOTE_ENDPOINT), 1_586_806_442_884_720_460n)]) {
    const r = logResult([file(`${text}\n`)], 'end', { endpoints: {} });
    assert.equal(r.status, 'fail', text);
    assert.match(r.cause!, /ZeroMQ socket does not exist.*post-upgrade/);
    assert.equal(r.remedy, restartSequence());
    assert.equal(restartSequence(), 'threatlink service disable connector && threatlink service enable connector && threatlink service restart connector');
    // a connector with its own config: every step of the remedy names it
    assert.equal(restartSequence('/srv/sensor 2/connector.properties'),
      "threatlink service disable connector --config '/srv/sensor 2/connector.properties' && threatlink service enable connector --config '/srv/sensor 2/connector.properties' && threatlink service restart connector --config '/srv/sensor 2/connector.properties'");
    assert.ok(r.evidence.some((e) => e.includes(`zmq_endpoint_missing ×1`) && e.includes(NOTE_ENDPOINT)), r.evidence.join('\n'));
  }
});

test('the CLI, offline: threatlink doctor --log on the note\'s lines exits 2 and names the fault first', async () => {
  const r = await runCliToEnd(['doctor', '--log', file(NOTE_DIAL_TIMEOUTS)]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stdout.split('\n')[0]!, /^fail: log: TCP connects to the eventing endpoint time out: egress is blocked/);
  const missing = await runCliToEnd(['doctor', '--log', join(dir, 'nope.log')]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /--log: .*nope\.log: no such file/);
});

// Each signature from the text the connector itself logs for it.
const T0 = 1_700_000_000_000n * 1_000_000n;
const line = (site: LogSite, msg: string, sec = 0, level: 'error' | 'warning' | 'info' = 'error'): string =>
  formatLogLine(level, 'sensor-1', site, msg, T0 + BigInt(sec) * 1_000_000_000n);
const err = (code: string, fields: Record<string, unknown> = {}): NetErrorLike => Object.assign(new Error(code), { code, ...fields });
const EX = { host: 'exchange.example.net', port: 8443 };

const CASES: Array<[string, string, RegExp]> = [
  ['dial_timeout', line(SITES.connectWebSocket, goErrorText(err('ETIMEDOUT', { address: '198.51.100.7', port: 8443 }), EX)), /egress is blocked/],
  ['handshake_timeout', line(SITES.connectWebSocket, goErrorText(err(READ_DEADLINE, { address: '198.51.100.7', port: 8443, localAddress: '10.0.0.5', localPort: 53426 }), EX)), /handshake .*gets no answer/],
  ['connection_refused', line(SITES.connectWebSocket, goErrorText(err('ECONNREFUSED', { address: '198.51.100.7', port: 8443 }), EX)), /nothing listens/],
  ['no_such_host', line(SITES.register, `registration failed: ${goErrorText(err('ENOTFOUND', { hostname: 'exchange.example.net' }), EX)}`), /does not resolve: DNS/],
  ['no_route', line(SITES.connectWebSocket, goErrorText(err('EHOSTUNREACH', { address: '198.51.100.7', port: 8443 }), EX)), /no route/],
  ['x509_unknown_authority', line(SITES.connectWebSocket, goErrorText(err('SELF_SIGNED_CERT_IN_CHAIN'), EX)), /interception/],
  ['x509_unknown_authority', line(SITES.register, 'registration failed: the exchange at https://x presented CA sha256:aa, but the registration token expects sha256:bb: this is not the exchange that issued the token, or something between re-signs TLS (interception). Nothing was sent.'), /interception/],
  ['x509_name_mismatch', line(SITES.connectWebSocket, goErrorText(err('ERR_TLS_CERT_ALTNAME_INVALID', { cert: { subjectaltname: 'DNS:other.example' } }), EX)), /another name/],
  ['zmq_endpoint_refused', line(SITES.zmqStart, `Could not connect to ZeroMQ PUSH endpoint: could not dial to ${goQuote(NOTE_ENDPOINT)}: dial unix /ngfw/var/sf/run/EventHandler_SSEConnector.sock: connect: connection refused\n`), /nothing listens on it/],
  ['device_refused', line(SITES.connectWebSocket, 'the exchange refused this device (403 {"error":"certificate_revoked","message":"certificate revoked"}): it was deleted or its certificate revoked; enroll again with a new registration token'), /deleted or its certificate revoked/],
  ['token_refused', line(SITES.register, 'registration failed: enrollment refused (401 token_expired): the registration token expired'), /token was refused/],
  ['clock_skew', line(SITES.connectWebSocket, goErrorText(err('CERT_HAS_EXPIRED'), EX)), /clock is wrong/],
  ['connector_port_in_use', line(SITES.localApi, localApiListenFailed(8989, err('EADDRINUSE'))), /another program holds connector_port/],
  ['disk_full', line(SITES.spool, 'spool append failed: ENOSPC: no space left on device, write'), /disk is full/],
  ['spool_full', line(SITES.spool, 'spool full (1073741824 bytes, policy drop_oldest): dropped 12 unsent event(s), 12 in all', 0, 'warning'), /dropped/],
];

for (const [i, [id, text, meaning]] of CASES.entries()) {
  test(`signature ${id} (case ${i + 1})`, () => {
    const a = analyseLog(`${text}\n`, 'end');
    assert.deepEqual(a.hits.map((h) => h.signature.id), [id]);
    const r = logResult([file(`${text}\n`)], 'end', { endpoints: {}, connectorPort: 8989 });
    assert.equal(r.status, 'fail');
    assert.match(r.cause!, meaning);
    assert.ok(r.remedy && r.remedy.length > 10);
    if (id === 'device_refused' || id === 'token_refused') assert.match(r.remedy!, /^enroll again with a new token/);
  });
}

test('what the connector writes through ConnectorLog reads back the same', () => {
  const f = join(dir, 'real', 'connector.log');
  const log = new ConnectorLog({ file: f, hostname: 'sensor-1', maxBytes: 1 << 20, keep: 1 });
  log.error(SITES.zmqStart, zmqEndpointMissing('ipc:///run/a "quoted" path.sock'));
  log.info(SITES.start, 'connector 0.1.0 starting: exchange x:443, 1 source(s), state Enrolled');
  log.close();
  const entries = parseLog(readFileSync(f, 'utf8'));
  assert.equal(entries.length, 2);
  assert.equal(entries[0]!.fn, '(*Service). Start');
  assert.equal(entries[0]!.text, zmqEndpointMissing('ipc:///run/a "quoted" path.sock'));
  assert.equal(entries[1]!.fn, '(*Service).Start');
  assert.equal(goUnquote(goQuote('tab\there\nnew "q" \\ \x01 é').slice(1, -1)), 'tab\there\nnew "q" \\ \x01 é');
});

test('only recent lines decide: older than 15 min, or before the last start, is history', () => {
  const fault = (sec: number) => line(SITES.connectWebSocket, goErrorText(err('ECONNREFUSED', { address: '198.51.100.7', port: 8443 }), EX), sec);
  const start = (sec: number) => line(SITES.start, 'connector 0.1.0 starting: exchange x:443, 0 source(s), state Enrolled', sec, 'info');
  const old = analyseLog([fault(0), line(SITES.heartbeat, 'heartbeat', 20 * 60, 'info')].join('\n'), 'end');
  assert.equal(old.hits[0]!.recent, 0);
  assert.equal(old.hits[0]!.status, 'ok');
  const restarted = analyseLog([fault(0), fault(10), start(20)].join('\n'), 'end');
  assert.equal(restarted.recentBy, 'start');
  assert.equal(restarted.hits[0]!.status, 'ok', 'faults of the run before the restart are history');
  const r = logResult([file([fault(0), start(20)].join('\n'))], 'end', { endpoints: {} });
  assert.equal(r.status, 'ok');
  assert.ok(r.evidence.some((e) => /^ok connection_refused ×1 \(0 recent\)/.test(e)), r.evidence.join('\n'));
});

test('a fault the connector recovered from is a warning, with the recovery named', () => {
  const text = [
    line(SITES.connectWebSocket, goErrorText(err('ETIMEDOUT', { address: '198.51.100.7', port: 8443 }), EX), 0),
    line(SITES.connectWebSocket, 'connected to wss://exchange.example.net:8443/eventing/v1/ws as device d1 (remote 198.51.100.7:8443)', 5, 'info'),
  ].join('\n');
  const r = logResult([file(text)], 'end', { endpoints: {} });
  assert.equal(r.status, 'warn');
  assert.match(r.cause!, /^recovered at .* from: TCP connects to the eventing endpoint time out/);
  assert.match(r.remedy!, /^nothing to do now; if it comes back: allow outbound/);
  assert.ok(r.evidence.some((e) => /recovered .*connected to wss:/.test(e)));
});

test('a missing connector.log is a skip, not a failure', () => {
  const r = logResult([join(dir, 'none.log.1'), join(dir, 'none.log')], 'now', { endpoints: {} });
  assert.equal(r.status, 'skip');
});

test('connector_port taken: the line the local API would log, worded as Go and naming the key', () => {
  assert.equal(
    localApiListenFailed(8989, err('EADDRINUSE')),
    'local API cannot listen on connector_port 8989: listen tcp 127.0.0.1:8989: bind: address already in use: another program holds the port; stop it or set another connector_port in connector.properties',
  );
  const r = logResult([file(`${line(SITES.localApi, localApiListenFailed(8989, err('EADDRINUSE')))}\n`)], 'end', { endpoints: {}, connectorPort: 8989 });
  assert.match(r.remedy!, /ss -ltnp/);
});
