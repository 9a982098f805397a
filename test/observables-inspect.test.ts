import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import {
  inspect,
  extractObservables,
  refang,
  normalizeDomain,
  normalizePublicDomain,
  normalizeIPv4,
  normalizeIPv6,
  normalizeUrl,
  normalizeEmail,
  normalizeHash,
  normalizeMac,
  normalizeObservable,
  type Observable,
} from '../src/observables/index.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/inspect/', import.meta.url));
const SRC = fileURLToPath(new URL('../src/observables/', import.meta.url));

const only = (text: string, type: string): string[] => inspect(text).filter((o) => o.type === type).map((o) => o.value);

// ---------------------------------------------------------------- corpus

const corpus = readdirSync(FIXTURES).filter((f) => /\.(txt|csv)$/.test(f)).sort();

test('the corpus has a text for each kind of input', () => {
  assert.deepEqual(corpus, [
    'auth-log.txt',
    'av-scan.txt',
    'changelog.txt',
    'email-headers.txt',
    'ipv6.txt',
    'misp.csv',
    'threat-report.txt',
  ]);
});

for (const file of corpus) {
  test(`inspect(${file}) yields exactly the expected observables, in order`, () => {
    const text = readFileSync(join(FIXTURES, file), 'utf8');
    const expected = JSON.parse(readFileSync(join(FIXTURES, file.replace(/\.(txt|csv)$/, '.expected.json')), 'utf8')) as Observable[];
    assert.deepEqual(inspect(text), expected);
  });
}

// ---------------------------------------------------------------- refang

test('refang: schemes only when a separator follows', () => {
  assert.equal(refang('hxxp://a.com hXXps://b.com HXXP[://]c.com h**p://d.com fxp://e.com hxxps[:]//f.com'),
    'http://a.com https://b.com http://c.com http://d.com ftp://e.com https://f.com');
  assert.equal(refang('the hxxp protocol, fxp mode'), 'the hxxp protocol, fxp mode');
  assert.equal(refang('shxxp://x.com'), 'shxxp://x.com');
});

test('refang: dots in their defanged forms', () => {
  assert.equal(refang('evil[.]com evil(.)com evil{.}com evil[dot]com evil(DOT)com evil\\.com'),
    'evil.com evil.com evil.com evil.com evil.com evil.com');
  assert.equal(refang('1[.]2[.]3[.]4 and evil [.] com'), '1.2.3.4 and evil.com');
  assert.equal(refang('evil dot example dot com, hxxp://bad dot com/x, me@mail dot org'),
    'evil.example.com, http://bad.com/x, me@mail.org');
});

test('refang: separators, slashes and mailboxes', () => {
  assert.equal(refang('http[:]//a.com/x[/]y http[://]b.com 1.2.3.4[:]8080'), 'http://a.com/x/y http://b.com 1.2.3.4:8080');
  assert.equal(refang('bob[at]evil[.]com bob(at)evil.com bob [at] evil [dot] com bob[@]evil.com'),
    'bob@evil.com bob@evil.com bob@evil.com bob@evil.com');
});

test('refang leaves ordinary prose and logs alone', () => {
  const prose = [
    'the dot com bubble burst; connect the dots',
    'look (at) this, meet [at] noon',
    'a (.NET Framework) note. (See above.) [x] {y} (z)',
    'C:\\.ssh\\config and array[.] and (.)',
    'sshd[123]: session opened [preauth] (user=root)',
    'dotted line: dot matrix',
  ].join('\n');
  assert.equal(refang(prose), prose);
});

// ---------------------------------------------------------------- normalize

test('normalize domains: case, trailing dot, IDN to punycode, public suffix', () => {
  assert.equal(normalizeDomain('Evil.COM.'), 'evil.com');
  assert.equal(normalizeDomain('пример.рф'), 'xn--e1afmkfd.xn--p1ai');
  assert.equal(normalizeDomain('bücher.de'), 'xn--bcher-kva.de');
  assert.equal(normalizeDomain('a..b'), null);
  assert.equal(normalizeDomain('-a.com'), null);
  assert.equal(normalizeDomain('com'), null);
  assert.equal(normalizeDomain('1.2.3.4'), null);
  assert.equal(normalizeDomain(`${'a'.repeat(64)}.com`), null);
  assert.equal(normalizePublicDomain('x.co.uk'), 'x.co.uk');
  assert.equal(normalizePublicDomain('co.uk'), null);
  for (const d of ['example.local', 'db.internal', 'nas.lan', 'invoice.pdf', 'win32.trojan.agent']) {
    assert.equal(normalizePublicDomain(d), null, d);
  }
});

test('normalize IPv4: canonical dotted quad only', () => {
  assert.equal(normalizeIPv4('192.0.2.1'), '192.0.2.1');
  assert.equal(normalizeIPv4('0.0.0.0'), '0.0.0.0');
  for (const bad of ['010.1.1.1', '192.168.001.1', '256.1.1.1', '1.2.3', '1.2.3.4.5', '1..2.3', '0x7f.0.0.1', '1.2.3.4 ']) {
    assert.equal(normalizeIPv4(bad), null, bad);
  }
});

test('normalize IPv6: RFC 5952, zone and brackets dropped, mapped IPv4 dotted', () => {
  assert.equal(normalizeIPv6('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
  assert.equal(normalizeIPv6('[2001:db8::1]'), '2001:db8::1');
  assert.equal(normalizeIPv6('fe80::1%eth0'), 'fe80::1');
  assert.equal(normalizeIPv6('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
  assert.equal(normalizeIPv6('::FFFF:c000:0280'), '::ffff:192.0.2.128');
  assert.equal(normalizeIPv6('1.2.3.4'), null);
  assert.equal(normalizeIPv6('2001:db8::g'), null);
});

test('normalize URLs, emails, hashes, MACs', () => {
  assert.equal(normalizeUrl('HTTP://Evil.COM:80/A/b?Q=1#F'), 'http://evil.com/A/b?Q=1#F');
  assert.equal(normalizeUrl('https://пример.рф/x'), 'https://xn--e1afmkfd.xn--p1ai/x');
  assert.equal(normalizeUrl('javascript:alert(1)'), null);
  assert.equal(normalizeUrl('not a url'), null);
  assert.equal(normalizeEmail('John.Doe@Example.COM'), 'John.Doe@example.com');
  assert.equal(normalizeEmail('john@host.local'), null);
  assert.equal(normalizeEmail('@example.com'), null);
  assert.equal(normalizeHash('md5', '44D88612FEA8A8F36DE82E1278ABB02F'), '44d88612fea8a8f36de82e1278abb02f');
  assert.equal(normalizeHash('md5', '0'.repeat(32)), null);
  assert.equal(normalizeHash('sha1', '1'.repeat(39) + '2'), null, 'all digits');
  assert.equal(normalizeHash('sha256', 'ab'), null);
  assert.equal(normalizeMac('AA-BB-CC-DD-EE-FF'), 'aa:bb:cc:dd:ee:ff');
  assert.equal(normalizeMac('aabb.ccdd.eeff'), 'aa:bb:cc:dd:ee:ff');
  assert.equal(normalizeMac('aa:bb-cc:dd:ee:ff'), null);
  assert.equal(normalizeObservable('domain', ' Evil.Com. '), 'evil.com');
  assert.equal(normalizeObservable('ip', '010.0.0.1'), null);
  assert.equal(normalizeObservable('file_name', 'a/b.exe'), null);
});

// ---------------------------------------------------------------- extraction decisions

test('dotted quads that are versions are not IPs', () => {
  const text = 'version 1.2.3.4, v10.0.19041.1, Chrome/120.0.6099.129, build 5.6.7.8, 1.2.3.4.5, 010.1.1.1, ver. 9.9.9.9';
  assert.deepEqual(only(text, 'ip'), []);
  assert.deepEqual(only('seen from 9.9.9.9 (port 53), 10.0.0.1:22, range 10.0.0.1-10.0.0.9', 'ip'), ['9.9.9.9', '10.0.0.1', '10.0.0.9']);
});

test('file and AV-detection names are not domains', () => {
  const r = inspect('invoice.pdf report.docx setup.exe Win32.Trojan.Agent Trojan.GenericKD.12345 HEUR:Trojan.Win32.Generic W32/Agent.ABC!tr Gen:Variant.Razy.bot com.example.app Node.js ASP.NET');
  assert.deepEqual(r.filter((o) => o.type === 'domain'), []);
  assert.deepEqual(r.filter((o) => o.type === 'file_name').map((o) => o.value), ['invoice.pdf', 'report.docx', 'setup.exe']);
});

test('a two-label name ending in a file extension that is also a TLD is a file; longer ones are domains', () => {
  assert.deepEqual(inspect('payload.zip, install.sh, cdn.files.zip'), [
    { type: 'file_name', value: 'payload.zip' },
    { type: 'file_name', value: 'install.sh' },
    { type: 'domain', value: 'cdn.files.zip' },
  ]);
});

test('a file named by its digest yields the digest and the file name', () => {
  assert.deepEqual(inspect('dropped 44d88612fea8a8f36de82e1278abb02f.exe'), [
    { type: 'md5', value: '44d88612fea8a8f36de82e1278abb02f' },
    { type: 'file_name', value: '44d88612fea8a8f36de82e1278abb02f.exe' },
  ]);
});

test('.local, .internal and .lan names are not domains (and URLs to them are not reported)', () => {
  assert.deepEqual(inspect('fs01.corp.local db.internal nas.lan http://intranet.local/x http://localhost:8080/ root@server01.lan'), []);
});

test('URLs: host and digests inside are reported too, trailing punctuation is not part of the URL', () => {
  assert.deepEqual(inspect('(see https://Evil.example.com/dl/2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae.bin).'), [
    { type: 'url', value: 'https://evil.example.com/dl/2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae.bin' },
    { type: 'domain', value: 'evil.example.com' },
    { type: 'sha256', value: '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae' },
  ]);
  assert.deepEqual(only('[link](https://a.example.org/wiki/Foo_(bar)) and url:https://b.example.org/x,', 'url'), [
    'https://a.example.org/wiki/Foo_(bar)',
    'https://b.example.org/x',
  ]);
});

test('emails report the mailbox and its domain; git-style and mailto prefixes are handled', () => {
  assert.deepEqual(inspect('mailto:Alice@Example.ORG, git@github.com:org/repo.git'), [
    { type: 'email', value: 'Alice@example.org' },
    { type: 'domain', value: 'example.org' },
    { type: 'email', value: 'git@github.com' },
    { type: 'domain', value: 'github.com' },
  ]);
  assert.deepEqual(inspect('Message-ID: <1234.abcd@mail.example.net>'), [{ type: 'domain', value: 'mail.example.net' }]);
});

test('MAC addresses in the three common notations', () => {
  assert.deepEqual(only('aa:bb:cc:dd:ee:01 AA-BB-CC-DD-EE-02 aabb.ccdd.ee03 AA:BB:CC:DD:EE:01.', 'mac_address'), [
    'aa:bb:cc:dd:ee:01',
    'aa:bb:cc:dd:ee:02',
    'aa:bb:cc:dd:ee:03',
  ]);
});

test('dedup is by type and normalized value, in order of first appearance', () => {
  assert.deepEqual(inspect('EVIL.com 1.1.1.1 evil.com. evil[.]com 1[.]1[.]1[.]1 Evil.Com'), [
    { type: 'domain', value: 'evil.com' },
    { type: 'ip', value: '1.1.1.1' },
  ]);
});

test('refang can be turned off', () => {
  assert.deepEqual(inspect('evil[.]com', { refang: false }), []);
  assert.deepEqual(extractObservables('evil.com'), [{ type: 'domain', value: 'evil.com' }]);
});

test('IDN domains come out in punycode', () => {
  assert.deepEqual(inspect('phish at пример.рф and ВСЕМ.РФ'), [
    { type: 'domain', value: 'xn--e1afmkfd.xn--p1ai' },
    { type: 'domain', value: 'xn--b1agvs.xn--p1ai' },
  ]);
});

test('no quadratic blow-up on long runs without separators', () => {
  const blobs = ['a'.repeat(200_000), 'a.'.repeat(100_000), '1.'.repeat(100_000), 'x@'.repeat(100_000), ':'.repeat(200_000), `http://${'a'.repeat(200_000)}`, '[.]'.repeat(60_000)];
  for (const b of blobs) {
    const t = performance.now();
    inspect(b);
    assert.ok(performance.now() - t < 2000, `${b.slice(0, 8)}… took too long`);
  }
});

test('src/observables imports nothing from the rest of the project', () => {
  for (const f of readdirSync(SRC)) {
    const src = readFileSync(join(SRC, f), 'utf8');
    for (const m of src.matchAll(/from\s+'([^']+)'/g)) {
      const spec = m[1]!;
      assert.ok(!spec.startsWith('..'), `${f} imports ${spec}`);
    }
  }
});

// ---------------------------------------------------------------- against ioc-extractor

/**
 * What ioc-extractor (run alone, as a baseline) finds in the corpus and
 * inspect deliberately does not report, after both are normalized. Everything
 * else it finds, inspect must find too.
 */
const NOT_REPORTED: Record<string, string[]> = {
  'auth-log.txt': ['ip 1.2.3.4' /* "version 1.2.3.4" */, 'ip 10.1.1.1' /* inside 010.1.1.1 */, 'ipv6 0:16:3e:5a:7b:1:52:54' /* part of a MAC= field */],
  'av-scan.txt': ['domain agent.abc' /* W32/Agent.ABC!tr */],
  'changelog.txt': ['ip 1.2.3.4' /* "Release 1.2.3.4" */, 'ip 2.4.1.0' /* v2.4.1.0 */, 'domain asp.net', 'domain contributing.md', 'domain readme.md' /* files */],
  'email-headers.txt': ['email 20240312081455.4rq8xk1zz9z1qb@mx.shady-shop.biz' /* Message-ID */, 'domain 40corp-victim.com' /* %40 inside a URL */],
  'ipv6.txt': ['ip 192.0.2.128' /* tail of ::ffff:192.0.2.128 */, 'ipv6 ::ba', 'ipv6 ::ba', 'ipv6 d::', 'ipv6 dead::beef' /* from std::vector, Foo::Bar::baz (::Ba and ::ba), dead::beef */],
  'misp.csv': ['domain 0042.zip' /* Scan_0042.zip */, 'url http://secure-login.account-verify.info/wp-admin/x.php,kit,1,1710230400' /* runs into the next CSV fields */],
  'threat-report.txt': ['domain 0423.one' /* Invoice_0423.one */],
};
const IOC_KEYS: Record<string, string> = { ipv4s: 'ip', ipv6s: 'ipv6', md5s: 'md5', sha1s: 'sha1', sha256s: 'sha256', emails: 'email', domains: 'domain', urls: 'url', macAddresses: 'mac_address' };

for (const file of corpus) {
  test(`ioc-extractor finds nothing in ${file} that inspect misses, except the documented false positives`, async () => {
    const { extractIOC } = await import('ioc-extractor');
    const text = readFileSync(join(FIXTURES, file), 'utf8');
    const ours = new Set(inspect(text).map((o) => `${o.type} ${o.value.toLowerCase()}`));
    const theirs = extractIOC(text) as unknown as Record<string, string[]>;
    const missing: string[] = [];
    for (const [key, type] of Object.entries(IOC_KEYS)) {
      for (const v of theirs[key] ?? []) {
        const n = (normalizeObservable(type as Observable['type'], v) ?? v).toLowerCase();
        if (!ours.has(`${type} ${n}`) && !ours.has(`${type} ${v.toLowerCase()}`)) missing.push(`${type} ${n}`);
      }
    }
    assert.deepEqual(missing.sort(), (NOT_REPORTED[file] ?? []).slice().sort());
  });
}
