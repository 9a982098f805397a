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
    { at: 'line 3', entry: '51.178.161', reason: 'not an address, range, domain, URL, hash or email' },
    { at: 'line 4', entry: '0.0.0.0/0 ; everything', reason: 'a range wider than /8: too broad to be an indicator' },
  ]);

  const csv = one({ format: 'csv', column: 'indicator', type_column: 'kind' }, 'indicators.csv');
  assert.deepEqual(csv.skippedEntries, [{ at: 'line 7', entry: 'not a value,domain,2024-04-28,skipped', reason: 'not a valid domain' }]);

  const misp = parsed({ format: 'misp' }, mispFiles('publishers/circl-osint'));
  const bph = '6d4e1b3f-9a8d-4c9f-8e2b-4d3c2b1a0f9e.json';
  assert.ok(misp.skippedEntries.some((e) => e.at === `${bph} attribute 6d4e1b3f-0003-4c9f-8e2b-4d3c2b1a0f9e` && e.entry === 'AS AS64500' && /type AS is not one feeds match/.test(e.reason)), JSON.stringify(misp.skippedEntries));
  assert.equal(misp.skipped, misp.skippedEntries.length);

  const stix = one({ format: 'stix2' }, 'stix2-bundle.json');
  assert.deepEqual(stix.skippedEntries.map((e) => e.reason.split(':')[0]!.split(' (')[0]), [
    'the pattern does not reduce to "any of these values"', 'revoked', 'pattern_type sigma',
  ]);
  assert.match(stix.skippedEntries[0]!.at, /^indicator--/);

  // A feed of thousands of bad lines keeps a few examples, and counts them all.
  const many = parsed({ format: 'list' }, { [FEED_FILE]: `198.51.100.1\n${'garbage!\n'.repeat(500)}` });
  assert.deepEqual([many.skipped, many.skippedEntries.length], [500, SKIPPED_KEPT]);
  // A feed that is nothing but bad lines says what the first one was.
  assert.throws(() => parsed({ format: 'list' }, { [FEED_FILE]: '<html>\n<body>Rate limited</body>\n' }), /no observable in any of 2 entries \(line 1: "<html>": not an address/);
});
