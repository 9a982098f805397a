// Feeds as their publishers serve them (abuse.ch, Spamhaus, Emerging Threats, CIRCL's MISP
// OSINT feed, STIX 2.1 from OpenCTI and MISP's export): what each gives, and every entry that
// is skipped named with where it is and why. Parsing only: no server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSnapshot, type ParsedFeed } from '../src/response/modules/feeds/parse.js';
import { parseFeedSettings } from '../src/response/modules/feeds/settings.js';
import { FEED_FILE } from '../src/response/modules/feeds/snapshot.js';
import { SKIPPED_KEPT } from '../src/response/modules/feeds/formats/result.js';

const dir = fileURLToPath(new URL('./fixtures/feeds/', import.meta.url));
const text = (name: string) => readFileSync(dir + name, 'utf8');

function parsed(settings: Record<string, unknown>, files: Record<string, string>): ParsedFeed {
  const s = parseFeedSettings({ settings: { source: '/feeds/x', ...settings } });
  return parseSnapshot(s, { source: '/feeds/x', format: s.format, fetched_at: new Date().toISOString(), files });
}
const one = (settings: Record<string, unknown>, name: string) => parsed(settings, { [FEED_FILE]: text(name) });
const mispFiles = (sub: string) => Object.fromEntries(readdirSync(dir + sub).map((f) => [f, text(`${sub}/${f}`)]));
const keys = (p: ParsedFeed) => [...p.indicators.keys()].sort();

test('skipped entries are counted and named (where, what, why), and a bad line does not stop the rest', () => {
  const list = parsed({ format: 'list' }, { [FEED_FILE]: '# DstIP\r\n51.178.161.32\r\n51.178.161\r\n0.0.0.0/0 ; everything\r\n50.16.16.211\r\n' });
  assert.deepEqual(keys(list), ['ip:50.16.16.211', 'ip:51.178.161.32']);
  assert.equal(list.skipped, 2);
  assert.deepEqual(list.skippedEntries, [
    { at: 'line 3', entry: '51.178.161', reason: 'not an address, range, domain (under a public suffix; set observable_type=domain for others), URL, hash or email' },
    { at: 'line 4', entry: '0.0.0.0/0 ; everything', reason: 'a range wider than /8: too broad to be an indicator' },
  ]);

  const csv = one({ format: 'csv', column: 'indicator', type_column: 'kind' }, 'indicators.csv');
  assert.deepEqual(csv.skippedEntries, [{ at: 'line 7', entry: 'not a value,domain,2024-04-28,skipped', reason: 'not a valid domain' }]);

  const misp = parsed({ format: 'misp' }, mispFiles('publishers/circl-osint'));
  const bph = '6d4e1b3f-9a8d-4c9f-8e2b-4d3c2b1a0f9e.json';
  assert.ok(misp.skippedEntries.some((e) => e.at === `${bph} attribute 6d4e1b3f-0003-4c9f-8e2b-4d3c2b1a0f9e` && e.entry === 'AS AS64500' && /type AS is not one feeds match/.test(e.reason)), JSON.stringify(misp.skippedEntries));
  assert.equal(misp.skipped, misp.skippedEntries.length);
  // A url attribute without a scheme is still the URL the event names, opened over http.
  assert.ok(keys(misp).includes('url:http://emotet-dl2.example-bad.top/loader.php'), keys(misp).join(' '));
  assert.ok(!misp.skippedEntries.some((e) => e.entry === 'emotet-dl2.example-bad.top/loader.php'));
  // filename|sha256: the hash is the indicator; the name alone would mark every Invoice_0429.doc.
  assert.ok(keys(misp).includes('sha256:0f7a3b9c1d2e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a'));
  assert.ok(!keys(misp).some((k) => k.startsWith('file_name:')), keys(misp).join(' '));

  const stix = one({ format: 'stix2' }, 'stix2-bundle.json');
  assert.deepEqual(stix.skippedEntries.map((e) => e.reason.split(':')[0]!.split(' (')[0]), [
    'the pattern does not reduce to "any of these values"', 'revoked', 'pattern_type sigma',
  ]);
  assert.match(stix.skippedEntries[0]!.at, /^indicator--/);

  // Guessed types: a name must end in a public suffix, so a mistyped address or a file name is
  // skipped, not listed as a domain; a feed that says its type is taken at its word.
  const guessed = parsed({ format: 'list' }, { [FEED_FILE]: '198.51.100.7e\ninvoice.pdf\nevil.example.com\nnas.corp.internal\n' });
  assert.deepEqual(keys(guessed), ['domain:evil.example.com']);
  assert.equal(guessed.skipped, 3);
  assert.deepEqual(keys(parsed({ format: 'list', observable_type: 'domain' }, { [FEED_FILE]: 'nas.corp.internal\n' })), ['domain:nas.corp.internal']);

  // A feed of thousands of bad lines keeps a few examples, and counts them all.
  const many = parsed({ format: 'list' }, { [FEED_FILE]: `198.51.100.1\n${'garbage!\n'.repeat(500)}` });
  assert.deepEqual([many.skipped, many.skippedEntries.length], [500, SKIPPED_KEPT]);
  // A feed that is nothing but bad lines says what the first one was.
  assert.throws(() => parsed({ format: 'list' }, { [FEED_FILE]: '<html>\n<body>Rate limited</body>\n' }), /no observable in any of 2 entries \(line 1: "<html>": not an address/);
});

test('STIX from MISP\'s export and OpenCTI: an AND inside one observation counts by its identifying value; hostname:value is a name', () => {
  const misp = one({ format: 'stix2' }, 'publishers/misp-stix21-export.json');
  assert.deepEqual(keys(misp), [
    'domain:emotet-c2.example-bad.top', // domain|ip: the name (resolves_to_refs only narrows it)
    'ip:203.0.113.20', // ip-dst: dst_ref.type AND dst_ref.value
    'ip:203.0.113.21', // ip-dst|port: the port only narrows it
    'md5:8764605c6f388c89096b534d33565802', // a file object: each hash identifies it; name and size do not
    'sha1:46aba99aa7158e4609aaa72b50990842fd22ae86',
    'sha256:0f7a3b9c1d2e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a', // filename|sha256: the hash, not the name
    'url:http://emotet-dl.example-bad.top/wp-admin/x/',
  ]);
  // MISP's ip-port object gives dst_ref two values at once: not one network connection.
  assert.deepEqual(misp.skippedEntries.map((e) => e.at), ['indicator--5c3f0a2e-1001-4b8e-9d1a-3c2b1a0f9e8d']);

  const octi = one({ format: 'stix2' }, 'publishers/opencti-bundle.json');
  assert.deepEqual(keys(octi), [
    'domain:ns1.icedid-c2.example-bad.top',
    'ip:198.18.200.0/24',
    'ip:198.51.100.60',
    'md5:0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d',
    'sha256:4a2f1c3d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b',
    "url:https://login.example-bad.top/o365/?u=a%27b",
  ]);
  assert.deepEqual(octi.skippedEntries.map((e) => e.reason), ['revoked'], 'malware, identity and relationship objects are not indicators, not skips');
  assert.equal(octi.indicators.get('ip:198.51.100.60')!.validUntil, Date.parse('2099-04-20T10:00:00.000Z'));

  // Patterns one value seen cannot satisfy still give nothing, each with its reason.
  const bundle = (patterns: string[]) => parsed({ format: 'stix2' }, { [FEED_FILE]: JSON.stringify({
    type: 'bundle', objects: patterns.map((pattern, i) => ({ type: 'indicator', id: `indicator--${i}`, pattern, pattern_type: 'stix' })),
  }) });
  const none = bundle([
    "[ipv4-addr:value = '198.51.100.153' AND ipv4-addr:value = '198.51.100.154']",
    "[ipv4-addr:value = '198.51.100.1'] AND [domain-name:value = 'a.example-bad.top']",
    "[ipv4-addr:value = '198.51.100.1'] FOLLOWEDBY [ipv4-addr:value = '198.51.100.2']",
    "[ipv4-addr:value = '198.51.100.1'] REPEATS 5 TIMES WITHIN 600 SECONDS",
    "[file:name = 'setup.exe' AND file:size = 1234]",
    "[domain-name:value = 'a.example-bad.top' OR ipv4-addr:value != '198.51.100.1']",
    "[network-traffic:dst_port = 4444]",
  ]);
  assert.deepEqual([none.indicators.size, none.skipped], [0, 7]);
  const some = bundle([
    "([ipv4-addr:value = '198.51.100.1'] OR [ipv6-addr:value = '2001:db8::1'])",
    "[ipv4-addr:value ISSUBSET '198.51.100.128/25']",
    "[file:hashes.'SHA-256' = '4a2f1c3d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2c' AND (file:name = 'a.exe' OR file:name = 'b.exe')]",
    "[file:name = 'dropper-7f3a.exe']",
  ]);
  assert.deepEqual(keys(some), [
    'file_name:dropper-7f3a.exe', 'ip:198.51.100.1', 'ip:198.51.100.128/25', 'ipv6:2001:db8::1',
    'sha256:4a2f1c3d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2c',
  ]);
});

test('abuse.ch CSV: a header written as the last # comment (URLhaus, ThreatFox) names the columns, and the first row stays data', () => {
  // URLhaus csv_recent: `# id,dateadded,url,url_status,…` then quoted rows.
  const urls = [
    'url:http://123.5.171.1:58127/i',
    'url:http://198.51.100.77/bins/sora.arm7',
    'url:http://malicious.example-bad.top/wp-content/plugins/x.php?id=1#frag',
    'url:https://drive-docs.example-bad.top/inv/Invoice_0417.zip',
  ];
  assert.deepEqual(keys(one({ format: 'csv', column: 'url' }, 'publishers/urlhaus-csv_recent.csv')), urls);
  assert.deepEqual(keys(one({ format: 'csv', column: 2, header: true }, 'publishers/urlhaus-csv_recent.csv')), urls, 'by number, with header set: no row lost');
  assert.deepEqual(keys(one({ format: 'csv', column: 2 }, 'publishers/urlhaus-csv_recent.csv')), urls);
  // ThreatFox: `# "first_seen_utc","ioc_id","ioc_value","ioc_type",…`, CRLF, `", "` between fields.
  const tf = one({ format: 'csv', column: 'ioc_value', type_column: 'ioc_type' }, 'publishers/threatfox-recent.csv');
  for (const k of ['domain:dazayse.hi-lo.example-bad.top', 'url:http://203.0.113.45/gate.php', 'md5:5f4dcc3b5aa765d61d8327deb882cf99',
    'sha256:d5a6b19ed0cb225a61c510bff2f2713b3a69435527f41fbb83d4e8343effaa13']) assert.ok(tf.indicators.has(k), k);
  // Feodo Tracker's CSV has its header as a plain row after the # block; its text list is one address a line.
  const feodo = ['ip:162.243.103.246', 'ip:50.16.16.211', 'ip:51.178.161.32'];
  assert.deepEqual(keys(one({ format: 'csv', column: 'dst_ip' }, 'publishers/feodo-ipblocklist.csv')), feodo);
  assert.deepEqual(keys(one({ format: 'list' }, 'publishers/feodo-ipblocklist.txt')), feodo);
  assert.equal(one({ format: 'list', observable_type: 'ip' }, 'publishers/et-compromised-ips.txt').indicators.size, 4);
  // A column named nowhere is still an error naming the header it looked in.
  assert.throws(() => one({ format: 'csv', column: 'ioc' }, 'publishers/threatfox-recent.csv'), /column "ioc" is not in the header/);
});

test('ThreatFox endpoints: an ip:port IOC (IPv4 or [IPv6]:port) lists its address; ThreatFox type names are known', () => {
  const tf = one({ format: 'csv', column: 'ioc_value', type_column: 'ioc_type' }, 'publishers/threatfox-recent.csv');
  assert.deepEqual(keys(tf), [
    'domain:dazayse.hi-lo.example-bad.top',
    'ip:45.95.147.236',
    'ipv6:2001:db8:dead::1',
    'md5:5f4dcc3b5aa765d61d8327deb882cf99',
    'sha256:d5a6b19ed0cb225a61c510bff2f2713b3a69435527f41fbb83d4e8343effaa13',
    'url:http://203.0.113.45/gate.php',
  ]);
  assert.equal(tf.skipped, 0);
  // The same endpoints in a plain list, types detected.
  assert.deepEqual(keys(parsed({ format: 'list' }, { [FEED_FILE]: '45.95.147.236:8080\n[2001:db8:dead::1]:443\n2001:db8::443\n' })), [
    'ip:45.95.147.236', 'ipv6:2001:db8::443', 'ipv6:2001:db8:dead::1',
  ]);
});

test('hosts-file blocklists (URLhaus hostfile): the name after 127.0.0.1 / 0.0.0.0 is the entry, not the sinkhole address', () => {
  const hosts = one({ format: 'list' }, 'publishers/urlhaus-hostfile.txt');
  assert.deepEqual(keys(hosts), [
    'domain:drive-docs.example-bad.top', 'domain:malicious.example-bad.top', 'domain:ns1.icedid-c2.example-bad.top', 'domain:tracker.example-bad.top',
  ]);
  assert.deepEqual(hosts.skippedEntries.map((e) => [e.at, e.reason]), [
    ['line 9', 'a hosts-file line for this machine, not an entry'],
    ['line 10', 'a hosts-file line for this machine, not an entry'],
    ['line 14', 'a hosts-file line for this machine, not an entry'],
  ]);
  // A list of addresses with a comment after them is still a list of addresses.
  assert.deepEqual(keys(parsed({ format: 'list' }, { [FEED_FILE]: '127.0.0.1 # loopback, listed on purpose\n0.0.0.0\n' })), ['ip:0.0.0.0', 'ip:127.0.0.1']);
});

test("an entry's reason: a list line's trailing comment (Spamhaus's SBL id), a CSV's reason_column (ThreatFox's malware)", () => {
  const drop = one({ format: 'list' }, 'publishers/spamhaus-drop.txt');
  assert.equal(drop.indicators.get('ip:1.10.16.0/20')?.reason, 'SBL256894');
  assert.equal([...drop.ranges.holding('1.10.20.7')][0]?.reason, 'SBL256894', 'an address inside the range is held by it, with its reason');
  const list = parsed({ format: 'list' }, { [FEED_FILE]: '1.2.3.4  # C2 server\nevil.example.com,2024-01-01\nhttp://x.example.com/a;b=1 # phish\n0.0.0.0 ads.example.com ; ads\n' });
  assert.equal(list.indicators.get('ip:1.2.3.4')?.reason, 'C2 server');
  assert.equal(list.indicators.get('domain:evil.example.com')?.reason, undefined, 'a second column is not a comment');
  assert.equal(list.indicators.get('url:http://x.example.com/a;b=1')?.reason, 'phish', 'a URL keeps its ; and the comment after it is the reason');
  assert.equal(list.indicators.get('domain:ads.example.com')?.reason, 'ads');
  const tf = one({ format: 'csv', column: 'ioc_value', type_column: 'ioc_type', reason_column: 'malware_printable' }, 'publishers/threatfox-recent.csv');
  assert.equal(tf.indicators.get('ip:45.95.147.236')?.reason, 'Cobalt Strike');
  assert.equal(tf.indicators.get('url:http://203.0.113.45/gate.php')?.reason, 'Loki Password Stealer (PWS)');
  assert.throws(() => one({ format: 'csv', column: 'ioc_value', reason_column: 'malware' }, 'publishers/threatfox-recent.csv'), /reason_column "malware" is not in the header/);
});
