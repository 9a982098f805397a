// The connector's blocklist writer: the plain lists and the Suricata files (iprep, datasets),
// atomic and idempotent writes, state read back at start, and block / unblock applied in the
// order they came. With Suricata installed, the files it writes are loaded by a real
// `suricata -T` config check, and a capture run shows the rules that use them fire.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpDir, cleanup } from './helpers/exchange.js';
import { ConnectorLog } from '../src/connector/log.js';
import { Blocklist } from '../src/connector/blocklist/blocklist.js';
import { iprepCategories, iprepList, sha256Dataset, stringDataset } from '../src/connector/blocklist/suricata.js';
import { blockValue } from '../src/protocol/block.js';
import type { ControlFrame } from '../src/protocol/frames.js';

const SURICATA = process.env.SURICATA ?? 'suricata';
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const MAKE_PCAP = fileURLToPath(new URL('./fixtures/make-pcap.py', import.meta.url));
const suricataMissing = (spawnSync(SURICATA, ['-V']).error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
const noSuricata: string | false = suricataMissing && process.env.CI !== 'true' ? `${SURICATA} is not installed` : false;

const HASH = `${'ab'.repeat(31)}cd`;

let dir: string;
let log: ConnectorLog;
before(() => {
  dir = tmpDir('tl-blocklist-');
  log = new ConnectorLog({ file: join(dir, 'connector.log'), hostname: 'sensor-1', maxBytes: 1 << 20, keep: 1 });
});
after(() => {
  log.close();
  cleanup(dir);
});

let n = 0;
function frame(action: string, type: string, value: string): ControlFrame {
  n++;
  return { type: 'control', id: `act-${n}`, action, params: { observable_type: type, observable_value: value, action_id: `act-${n}` } };
}

function open(sub: string): Blocklist {
  const b = new Blocklist(join(dir, sub), log);
  b.open();
  return b;
}

const read = (d: string, f: string) => readFileSync(join(dir, d, f), 'utf8');

test('formats: iprep CSV, base64 string datasets, hex sha256 dataset', () => {
  assert.equal(iprepCategories(), '1,threatlink-block,Blocked by threatlink response actions\n');
  assert.equal(iprepList(['192.0.2.1', '2001:db8::1']), '192.0.2.1,1,127\n2001:db8::1,1,127\n');
  assert.equal(iprepList([]), '');
  assert.equal(stringDataset(['evil.example.com']), 'ZXZpbC5leGFtcGxlLmNvbQ==\n');
  assert.equal(sha256Dataset([HASH.toUpperCase()]), `${HASH}\n`);
});

test('values are normalized the same way on both ends, and anything unsafe is refused', () => {
  assert.deepEqual(blockValue('domain', 'Evil.Example.COM.'), { ok: true, type: 'domain', value: 'evil.example.com' });
  assert.deepEqual(blockValue('ipv6', '2001:DB8:0:0::1'), { ok: true, type: 'ipv6', value: '2001:db8::1' });
  assert.deepEqual(blockValue('sha256', HASH.toUpperCase()), { ok: true, type: 'sha256', value: HASH });
  for (const [t, v] of [['ip', '10.0.0.1\n10.0.0.2'], ['domain', 'evil.example.com\nx.y'], ['ip', '1.2.3'], ['url', 'javascript:alert(1)'], ['email', 'a@b.example'], ['sha256', 'abc']]) {
    assert.equal(blockValue(t, v).ok, false, `${t} ${JSON.stringify(v)}`);
  }
});

test('block writes sorted plain lists and the Suricata files; unblock removes', async () => {
  const b = open('a');
  assert.deepEqual(readdirSync(join(dir, 'a')).sort(), ['domain.lst', 'domain.txt', 'ip.txt', 'iprep', 'ipv6.txt', 'sha256.lst', 'sha256.txt', 'url.lst', 'url.txt'], 'every file exists before any action');
  for (const [t, v] of [['ip', '198.51.100.9'], ['ip', '192.0.2.10'], ['ipv6', '2001:db8::7'], ['domain', 'Zeta.example.com'], ['domain', 'alpha.example.org'], ['url', 'http://evil.example.com/a,b?x=1'], ['sha256', HASH]]) {
    const r = await b.handle(frame('block', t!, v!));
    assert.equal(r.status, 'ok', r.detail);
  }
  assert.equal(read('a', 'ip.txt'), '192.0.2.10\n198.51.100.9\n');
  assert.equal(read('a', 'ipv6.txt'), '2001:db8::7\n');
  assert.equal(read('a', 'domain.txt'), 'alpha.example.org\nzeta.example.com\n');
  assert.equal(read('a', 'url.txt'), 'http://evil.example.com/a,b?x=1\n');
  assert.equal(read('a', 'sha256.txt'), `${HASH}\n`);
  assert.equal(read('a', 'iprep/categories.txt'), iprepCategories());
  assert.equal(read('a', 'iprep/threatlink.list'), '192.0.2.10,1,127\n198.51.100.9,1,127\n2001:db8::7,1,127\n');
  assert.deepEqual(read('a', 'domain.lst').trim().split('\n').map((l) => Buffer.from(l, 'base64').toString()), ['alpha.example.org', 'zeta.example.com']);
  assert.equal(Buffer.from(read('a', 'url.lst').trim(), 'base64').toString(), 'http://evil.example.com/a,b?x=1');
  assert.equal(read('a', 'sha256.lst'), `${HASH}\n`);
  assert.equal(statSync(join(dir, 'a', 'domain.lst')).mode & 0o777, 0o644, 'Suricata, another user, reads them');
  assert.deepEqual(b.snapshot().counts, { ip: 2, ipv6: 1, domain: 2, url: 1, sha256: 1 });

  const un = await b.handle(frame('unblock', 'ip', '198.51.100.9'));
  assert.deepEqual(un, { status: 'ok', detail: 'ip 198.51.100.9 removed' });
  assert.equal(read('a', 'ip.txt'), '192.0.2.10\n');
  assert.ok(!read('a', 'iprep/threatlink.list').includes('198.51.100.9'));
  assert.deepEqual(await b.handle(frame('unblock', 'ip', '198.51.100.9')), { status: 'ok', detail: 'ip 198.51.100.9 was not blocked' });
  assert.equal(readdirSync(join(dir, 'a')).filter((f) => f.includes('.tmp-')).length, 0, 'no temp file left behind');
  const logText = readFileSync(join(dir, 'connector.log'), 'utf8');
  assert.match(logText, /level=info msg="\[sensor-1\]\[blocklist\.go:\d+ blocklist:write\] unblock ip 198\.51\.100\.9 \(action act-\d+\): removed; 1 ip value\(s\) blocked"/);
});

test('repeating an action is idempotent: same bytes, no file rewritten', async () => {
  const b = open('idem');
  await b.handle(frame('block', 'domain', 'evil.example.com'));
  const files = readdirSync(join(dir, 'idem')).filter((f) => f.endsWith('.txt') || f.endsWith('.lst'));
  const mtime = (f: string) => statSync(join(dir, 'idem', f), { bigint: true }).mtimeNs;
  const was = new Map(files.map((f) => [f, mtime(f)]));
  const r = await b.handle(frame('block', 'domain', 'EVIL.example.com'));
  assert.deepEqual(r, { status: 'ok', detail: 'domain evil.example.com already blocked' });
  for (const f of files) assert.equal(mtime(f), was.get(f), `${f} not rewritten`);
  assert.equal(read('idem', 'domain.txt'), 'evil.example.com\n');
});

test('the plain lists are the state: a restart reads them, a deleted Suricata file comes back', async () => {
  const b = open('state');
  await b.handle(frame('block', 'ip', '203.0.113.5'));
  await b.handle(frame('block', 'sha256', HASH));
  rmSync(join(dir, 'state', 'iprep'), { recursive: true });
  // A hand edit (with a comment and a junk line) is read too.
  writeFileSync(join(dir, 'state', 'domain.txt'), '# added by hand\nbad.example.net\nnot a domain\n');
  const again = open('state');
  assert.deepEqual(again.snapshot().counts, { ip: 1, ipv6: 0, domain: 1, url: 0, sha256: 1 });
  assert.equal(read('state', 'iprep/threatlink.list'), '203.0.113.5,1,127\n');
  assert.equal(read('state', 'domain.txt'), 'bad.example.net\n', 'rewritten in canonical form');
  assert.match(readFileSync(join(dir, 'connector.log'), 'utf8'), /skipped a line: domain\.txt: observable_value: \\"not a domain\\" is not a valid domain/);
});

test('block then unblock apply in arrival order even when handled at once', async () => {
  const b = open('order');
  const results = await Promise.all([
    b.handle(frame('block', 'url', 'https://x.example/p')),
    b.handle(frame('unblock', 'url', 'https://x.example/p')),
    b.handle(frame('block', 'url', 'https://y.example/q')),
  ]);
  assert.deepEqual(results.map((r) => r.status), ['ok', 'ok', 'ok']);
  assert.equal(read('order', 'url.txt'), 'https://y.example/q\n');
});

test('a bad value or an unwritable directory is a control_ack error with the reason', async () => {
  const b = open('err');
  const bad = await b.handle(frame('block', 'ip', '10.0.0.1,1,127\n0.0.0.0/0'));
  assert.equal(bad.status, 'error');
  assert.match(bad.detail!, /observable_value: .* is not a valid ip/);
  const type = await b.handle(frame('block', 'email', 'a@b.example'));
  assert.match(type.detail!, /observable_type: "email" cannot be blocked/);
  if (process.getuid?.() !== 0) {
    writeFileSync(join(dir, 'not-a-dir'), 'x');
    const broken = new Blocklist(join(dir, 'not-a-dir', 'lists'), log);
    broken.open();
    const r = await broken.handle(frame('block', 'ip', '192.0.2.1'));
    assert.equal(r.status, 'error');
    assert.match(r.detail!, /unusable: .*ENOTDIR/);
    assert.match(broken.snapshot().error!, /ENOTDIR/);
  }
});

// ---- Suricata reads them ------------------------------------------------------------------

const SERVER = '203.0.113.80';
const DNS_NAME = 'c2.bad-domain.example';

/** Rules that use every file; `load` paths are absolute, so the rules file can live anywhere. */
function rules(d: string): string {
  return [
    `alert ip any any -> any any (msg:"threatlink blocked address"; iprep:any,threatlink-block,isset; sid:9100001; rev:1;)`,
    `alert dns any any -> any any (msg:"threatlink blocked domain"; dns.query; dataset:isset,threatlink-domain,type string,load ${join(d, 'domain.lst')}; sid:9100002; rev:1;)`,
    `alert tls any any -> any any (msg:"threatlink blocked domain (SNI)"; tls.sni; dataset:isset,threatlink-domain,type string,load ${join(d, 'domain.lst')}; sid:9100003; rev:1;)`,
    `alert http any any -> any any (msg:"threatlink blocked URL"; http.uri.raw; dataset:isset,threatlink-url,type string,load ${join(d, 'url.lst')}; sid:9100004; rev:1;)`,
    `alert http any any -> any any (msg:"threatlink blocked file"; file.data; to_sha256; dataset:isset,threatlink-sha256,type sha256,load ${join(d, 'sha256.lst')}; sid:9100005; rev:1;)`,
    '',
  ].join('\n');
}

function suricataYaml(d: string, rulesFile: string): string {
  return `%YAML 1.1
---
vars:
  address-groups:
    HOME_NET: "[10.0.0.0/8]"
    EXTERNAL_NET: "!$HOME_NET"
rule-files:
  - ${JSON.stringify(rulesFile)}
reputation-categories-file: ${JSON.stringify(join(d, 'iprep', 'categories.txt'))}
default-reputation-path: ${JSON.stringify(join(d, 'iprep'))}
reputation-files:
  - threatlink.list
outputs:
  - eve-log:
      enabled: yes
      filetype: regular
      filename: eve.json
      types:
        - alert
`;
}

function suricata(d: string, extra: string[]): { status: number | null; out: string } {
  const work = join(dir, `run-${++n}`);
  mkdirSync(work);
  writeFileSync(join(work, 'threatlink.rules'), rules(d));
  writeFileSync(join(work, 'suricata.yaml'), suricataYaml(d, join(work, 'threatlink.rules')));
  const r = spawnSync(SURICATA, ['-c', join(work, 'suricata.yaml'), '-l', work, ...extra], { encoding: 'utf8', timeout: 120_000 });
  const eve = join(work, 'eve.json');
  return { status: r.status, out: `${r.stdout}${r.stderr}${existsSync(eve) ? readFileSync(eve, 'utf8') : ''}` };
}

test('suricata -T loads the files, empty and full; a corrupt dataset fails the check', { skip: noSuricata }, async () => {
  const empty = open('suri-empty');
  const full = open('suri-full');
  for (const [t, v] of [['ip', '192.0.2.1'], ['ipv6', '2001:db8::1'], ['domain', 'evil.example.com'], ['url', 'http://evil.example.com/x'], ['sha256', HASH]]) {
    assert.equal((await full.handle(frame('block', t!, v!))).status, 'ok');
  }
  for (const b of [empty, full]) {
    const r = suricata(b.dir, ['-T']);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /Loading reputation file/);
    assert.match(r.out, /5 rules successfully loaded, 0 rules failed/);
  }
  // The check has teeth: a line that is not base64 makes it fail.
  const bad = join(dir, 'suri-bad');
  cpSync(full.dir, bad, { recursive: true });
  writeFileSync(join(bad, 'domain.lst'), 'not base64 !!\n', { flag: 'a' });
  const r = suricata(bad, ['-T']);
  assert.notEqual(r.status, 0);
  assert.match(r.out, /bad base64 encoding/);
});

test('on a capture, the blocked address and domain fire the rules that load the files', { skip: noSuricata }, async () => {
  const b = open('suri-pcap');
  assert.equal((await b.handle(frame('block', 'ip', SERVER))).status, 'ok');
  assert.equal((await b.handle(frame('block', 'domain', DNS_NAME))).status, 'ok');
  const pcap = join(dir, 'traffic.pcap');
  const mk = spawnSync(PYTHON, [MAKE_PCAP, pcap], { encoding: 'utf8' });
  assert.equal(mk.status, 0, `${mk.stdout}${mk.stderr}`);
  const r = suricata(b.dir, ['-r', pcap, '-k', 'none']);
  assert.equal(r.status, 0, r.out);
  const alerts = r.out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).filter((e) => e.event_type === 'alert');
  const sids = new Set(alerts.map((a) => a.alert.signature_id));
  assert.ok(sids.has(9100001), `iprep rule fired (${[...sids].join(',')})`);
  assert.ok(sids.has(9100002), `dns dataset rule fired (${[...sids].join(',')})`);
  assert.ok(alerts.filter((a) => a.alert.signature_id === 9100001).every((a) => a.src_ip === SERVER || a.dest_ip === SERVER));
  assert.equal(alerts.find((a) => a.alert.signature_id === 9100002).dns?.query?.[0]?.rrname ?? DNS_NAME, DNS_NAME);
  assert.ok(!sids.has(9100003), 'the TLS SNI is not blocked');
  // And with nothing blocked, nothing fires: the matches above come from the lists.
  const none = suricata(open('suri-pcap-empty').dir, ['-r', pcap, '-k', 'none']);
  assert.equal(none.status, 0, none.out);
  assert.ok(!none.out.includes('"event_type":"alert"'), none.out);
});
