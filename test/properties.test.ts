import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  PROPERTY_DOCS,
  connectorConfigFromText,
  loadConnectorConfig,
  parseProperties,
  parseSize,
} from '../src/connector/properties.js';

const BASE = '/etc/threatlink';
const FILE = 'connector.properties';
const cfg = (text: string) => connectorConfigFromText(text, FILE, BASE);

function throwsConfig(text: string, ...parts: string[]): ConfigError {
  let caught: unknown;
  try {
    cfg(text);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ConfigError, `expected ConfigError, got ${String(caught)}`);
  for (const p of parts) assert.ok(caught.message.includes(p), `"${caught.message}" lacks "${p}"`);
  return caught;
}

describe('parseProperties (java.util.Properties.load)', () => {
  it('separators: =, :, whitespace, and whitespace around them', () => {
    const { entries } = parseProperties('a=1\nb: 2\nc 3\nd  =  4\ne\t:\t5\nf = = 6\ng\n');
    assert.deepEqual(Object.fromEntries(entries), { a: '1', b: '2', c: '3', d: '4', e: '5', f: '= 6', g: '' });
  });

  it('comments, blank lines, leading whitespace; trailing blanks kept in the value', () => {
    const { entries, lines } = parseProperties('# comment\n! also\n\n   \n   key = v  \n  #x=1\n');
    assert.deepEqual([...entries], [['key', 'v  ']]);
    assert.equal(lines.get('key'), 5);
  });

  it('continuation lines drop leading blanks; a comment does not continue; line is where the entry starts', () => {
    const text = '# a comment \\\nlist = a, \\\n     b, \\\n\t c\nnext=1\\\\\nlast=x\\\n';
    const { entries, lines } = parseProperties(text);
    assert.equal(entries.get('list'), 'a, b, c');
    assert.equal(entries.get('next'), '1\\'); // an even number of backslashes does not continue
    assert.equal(entries.get('last'), 'x'); // continuation at EOF just ends
    assert.equal(lines.get('list'), 2);
    assert.equal(lines.get('next'), 5);
    assert.equal(lines.get('# a comment'), undefined);
  });

  it('a continued line starting with # is not a comment; a blank continuation ends the entry', () => {
    const { entries } = parseProperties('a=x\\\n  #y\nb=1\\\n\nc=2');
    assert.equal(entries.get('a'), 'x#y');
    assert.equal(entries.get('b'), '1');
    assert.equal(entries.get('c'), '2');
  });

  it('escapes: \\t \\n \\r \\f \\\\ \\uXXXX, and escaped separators in keys', () => {
    const { entries } = parseProperties(
      'tabs=a\\tb\\nc\\rd\\fe\nslash=C:\\\\dir\nuni=\\u00e9t\\u00E9\nmy\\ key\\=x\\:y = v\nother=\\q\n',
    );
    assert.equal(entries.get('tabs'), 'a\tb\nc\rd\fe');
    assert.equal(entries.get('slash'), 'C:\\dir');
    assert.equal(entries.get('uni'), 'été');
    assert.equal(entries.get('my key=x:y'), 'v');
    assert.equal(entries.get('other'), 'q');
  });

  it('CRLF and CR line ends, BOM', () => {
    const { entries, lines } = parseProperties('\uFEFFa=1\r\nb=2\rc=3');
    assert.deepEqual(Object.fromEntries(entries), { a: '1', b: '2', c: '3' });
    assert.equal(lines.get('c'), 3);
  });

  it('the last duplicate wins, with its line', () => {
    const { entries, lines } = parseProperties('a=1\nb=2\na=3\n');
    assert.equal(entries.get('a'), '3');
    assert.equal(lines.get('a'), 3);
  });

  it('a malformed \\u escape is an error with the line', () => {
    assert.throws(() => parseProperties('ok=1\nbad=\\u12G4\n', FILE), (e: unknown) =>
      e instanceof ConfigError && e.message.startsWith('connector.properties:2:') && e.line === 2,
    );
  });
});

describe('connector config', () => {
  it("the note's three-line file, with every default", () => {
    const { config, warnings } = cfg('registration_interval=180\nconnector_port=8989\nconnector_fqdn=api-sse.cisco.com\n');
    assert.deepEqual(warnings, []);
    assert.deepEqual(config, {
      file: join(process.cwd(), FILE),
      registrationInterval: 180,
      connectorPort: 8989,
      fqdn: { host: 'api-sse.cisco.com', port: 443 },
      region: 'local',
      dataDir: '/etc/threatlink/data',
      caFile: '/etc/threatlink/data/connectorCA.pem',
      cloudEvents: true,
      logFile: '/etc/threatlink/data/connector.log',
      logMaxBytes: 10 * 1024 * 1024,
      logKeep: 5,
      spoolMaxBytes: 1024 ** 3,
      spoolFullPolicy: 'block',
      blocklistDir: '/etc/threatlink/data/blocklists',
      hostname: hostname(),
      sources: [],
    });
  });

  it('an empty file is a valid local-API-only config (no fqdn)', () => {
    const { config } = cfg('');
    assert.equal(config.fqdn, undefined);
    assert.equal(config.registrationInterval, 180);
    assert.equal(config.connectorPort, 8989);
  });

  it('every key set; relative paths resolve against the file directory', () => {
    const { config, warnings } = cfg(
      [
        'registration_interval = 60',
        'connector_port = 9000',
        'connector_fqdn = exchange.example.net:8443',
        'region = eu',
        'data_dir = state',
        'ca_file = /opt/ca.pem',
        'registration_token = tok-123',
        'cloud_events = Off',
        'log_file = logs/connector.log',
        'log_max_bytes = 512KiB',
        'log_keep = 0',
        'spool_max_bytes = 2 GB',
        'spool_full_policy = drop_oldest',
        'blocklist_dir = ../bl',
        'proxy = http://proxy.local:3128',
        'hostname = firepower.cisco.com',
        'registration_token = ',
      ].join('\n'),
    );
    assert.deepEqual(warnings, ['connector.properties:17: registration_token is set again (first on line 7); the last value wins']);
    assert.equal(config.registrationInterval, 60);
    assert.equal(config.connectorPort, 9000);
    assert.deepEqual(config.fqdn, { host: 'exchange.example.net', port: 8443 });
    assert.equal(config.region, 'eu');
    assert.equal(config.dataDir, '/etc/threatlink/state');
    assert.equal(config.caFile, '/opt/ca.pem');
    assert.equal(config.registrationToken, undefined); // the last (empty) value wins: unset
    assert.equal(config.cloudEvents, false);
    assert.equal(config.logFile, '/etc/threatlink/logs/connector.log');
    assert.equal(config.logMaxBytes, 512 * 1024);
    assert.equal(config.logKeep, 0);
    assert.equal(config.spoolMaxBytes, 2 * 1024 ** 3);
    assert.equal(config.spoolFullPolicy, 'drop_oldest');
    assert.equal(config.blocklistDir, '/etc/bl');
    assert.equal(config.proxy, 'http://proxy.local:3128');
    assert.equal(config.hostname, 'firepower.cisco.com');
  });

  it('defaults under data_dir follow a custom data_dir', () => {
    const { config } = cfg('data_dir=/var/lib/tl\n');
    assert.equal(config.caFile, '/var/lib/tl/connectorCA.pem');
    assert.equal(config.logFile, '/var/lib/tl/connector.log');
    assert.equal(config.blocklistDir, '/var/lib/tl/blocklists');
  });

  it('fqdn forms: IPv4, bracketed IPv6, default port', () => {
    assert.deepEqual(cfg('connector_fqdn=10.0.0.5:8443').config.fqdn, { host: '10.0.0.5', port: 8443 });
    assert.deepEqual(cfg('connector_fqdn=[::1]:9443').config.fqdn, { host: '::1', port: 9443 });
    assert.deepEqual(cfg('connector_fqdn=[fe80::1]').config.fqdn, { host: 'fe80::1', port: 443 });
  });

  it('cloud_events accepts every spelling', () => {
    for (const v of ['on', 'true', 'yes', '1', 'ON']) assert.equal(cfg(`cloud_events=${v}`).config.cloudEvents, true, v);
    for (const v of ['off', 'false', 'no', '0', 'No']) assert.equal(cfg(`cloud_events=${v}`).config.cloudEvents, false, v);
  });

  it('sizes', () => {
    assert.equal(parseSize('10MB'), 10 * 1024 ** 2);
    assert.equal(parseSize('10MiB'), 10 * 1024 ** 2);
    assert.equal(parseSize('512KiB'), 512 * 1024);
    assert.equal(parseSize('1GB'), 1024 ** 3);
    assert.equal(parseSize('1.5k'), 1536);
    assert.equal(parseSize('4096'), 4096);
    assert.equal(parseSize('4096B'), 4096);
    for (const bad of ['', '0', 'ten', '10TB', '-1', '10 MBs']) assert.equal(parseSize(bad), undefined, bad);
  });

  it('each error names file:line, key, value and what is allowed', () => {
    const e = throwsConfig('registration_interval=180\nconnector_fqdn=api-sse.cisco.com\nconnector_port=99999\n');
    assert.equal(e.message, 'connector.properties:3: connector_port = "99999" is not a port (1–65535)');
    assert.equal(e.line, 3);
    assert.equal(e.key, 'connector_port');
    throwsConfig('registration_interval=5', 'connector.properties:1:', 'registration_interval = "5"', '10–86400');
    throwsConfig('registration_interval=3m', 'registration_interval = "3m"', '10–86400');
    throwsConfig('\nconnector_port=0', 'connector.properties:2:', 'connector_port = "0"', '1–65535');
    throwsConfig('connector_fqdn=https://api-sse.cisco.com', 'connector_fqdn = "https://api-sse.cisco.com"', 'host[:port]');
    throwsConfig('connector_fqdn=host:70000', 'connector_fqdn = "host:70000"', 'host[:port]');
    throwsConfig('cloud_events=maybe', 'cloud_events = "maybe"', 'on, off, true, false, yes, no, 1, 0');
    throwsConfig('log_max_bytes=lots', 'log_max_bytes = "lots"', 'KB, MB, GB, KiB, MiB, GiB');
    throwsConfig('spool_max_bytes=1PB', 'spool_max_bytes = "1PB"', 'is not a size');
    throwsConfig('log_keep=-1', 'log_keep = "-1"', '0–100');
    throwsConfig('spool_full_policy=drop', 'spool_full_policy = "drop"', 'block, drop_oldest');
    throwsConfig('proxy=socks5://p:1080', 'proxy = "socks5://p:1080"', 'http://host:port');
    throwsConfig('hostname=my host', 'hostname = "my host"', 'no spaces or brackets');
  });

  it('unknown keys warn with line and, when close, the intended key', () => {
    const { warnings } = cfg('registation_interval=180\nconnector_prot=1\nfoo=bar\nsource.ids.typ=eve\nsourse.ids.path=/x\n');
    assert.deepEqual(warnings, [
      'connector.properties:1: unknown key registation_interval is ignored; did you mean registration_interval?',
      'connector.properties:2: unknown key connector_prot is ignored; did you mean connector_port?',
      'connector.properties:3: unknown key foo is ignored',
      'connector.properties:4: unknown key source.ids.typ is ignored; did you mean source.ids.type?',
      'connector.properties:5: unknown key sourse.ids.path is ignored; did you mean source.ids.path?',
    ]);
  });

  it('sources in file order, with resolved paths and endpoints', () => {
    const { config, warnings } = cfg(
      [
        'source.fmc.type = zmq',
        'source.fmc.endpoint = ipc:///ngfw/var/sf/run/EventHandler_SSEConnector.sock',
        'source.suricata.type = eve',
        'source.suricata.path = logs/eve.json',
        'source.snort-3.type = snort3-json',
        'source.snort-3.path = /var/log/snort/alert_json.txt',
        'source.u2.path = /var/log/snort/snort.u2',
        'source.u2.type = unified2',
        'source.rel.type = zmq',
        'source.rel.endpoint = ipc://run/e.sock',
        'source.tcp.type = zmq',
        'source.tcp.endpoint = tcp://127.0.0.1:5555',
      ].join('\n'),
    );
    assert.deepEqual(warnings, []);
    assert.deepEqual(config.sources, [
      { name: 'fmc', type: 'zmq', endpoint: 'ipc:///ngfw/var/sf/run/EventHandler_SSEConnector.sock' },
      { name: 'suricata', type: 'eve', path: '/etc/threatlink/logs/eve.json' },
      { name: 'snort-3', type: 'snort3-json', path: '/var/log/snort/alert_json.txt' },
      { name: 'u2', type: 'unified2', path: '/var/log/snort/snort.u2' },
      { name: 'rel', type: 'zmq', endpoint: 'ipc:///etc/threatlink/run/e.sock' },
      { name: 'tcp', type: 'zmq', endpoint: 'tcp://127.0.0.1:5555' },
    ]);
  });

  it('source errors', () => {
    throwsConfig('source.ids.type=pcap', 'connector.properties:1:', 'source.ids.type = "pcap" is not one of zmq, eve, snort3-json, unified2');
    throwsConfig('x=1\nsource.ids.path=/x', 'connector.properties:2:', 'source ids has no source.ids.type', 'zmq, eve, snort3-json, unified2');
    throwsConfig('source.fmc.type=zmq', 'source.fmc.type = "zmq" needs source.fmc.endpoint', 'ipc://');
    throwsConfig('source.fmc.type=zmq\nsource.fmc.endpoint=/run/x.sock', 'connector.properties:2:', 'source.fmc.endpoint = "/run/x.sock"', 'ipc:///path.sock or tcp://host:port');
    throwsConfig('source.fmc.type=zmq\nsource.fmc.endpoint=tcp://host', 'source.fmc.endpoint = "tcp://host"');
    throwsConfig('source.e.type=eve', 'source.e.type = "eve" needs source.e.path');
    throwsConfig('source.a.b.type=eve', 'source name "a.b" is not allowed');
  });

  it('attributes that do not apply to the source type are warned about', () => {
    const { warnings } = cfg('source.e.type=eve\nsource.e.path=/x\nsource.e.endpoint=tcp://h:1\n');
    assert.deepEqual(warnings, ['connector.properties:1: source.e.endpoint is ignored for type eve']);
  });

  it('PROPERTY_DOCS covers every key', () => {
    const keys = PROPERTY_DOCS.map((d) => d.key);
    for (const k of ['registration_interval', 'connector_port', 'connector_fqdn', 'region', 'data_dir', 'ca_file',
      'registration_token', 'cloud_events', 'log_file', 'log_max_bytes', 'log_keep', 'spool_max_bytes',
      'spool_full_policy', 'blocklist_dir', 'proxy', 'hostname', 'source.<name>.type', 'source.<name>.endpoint',
      'source.<name>.path']) {
      assert.ok(keys.includes(k), k);
    }
  });

  it('loadConnectorConfig reads the file and resolves against its directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-props-'));
    try {
      const file = join(dir, 'connector.properties');
      writeFileSync(file, 'connector_fqdn=api-sse.cisco.com\nsource.s.type=eve\nsource.s.path=eve.json\n');
      const { config } = loadConnectorConfig(file);
      assert.equal(config.file, file);
      assert.equal(config.dataDir, join(dir, 'data'));
      assert.equal(config.logFile, join(dir, 'data', 'connector.log'));
      assert.deepEqual(config.sources, [{ name: 's', type: 'eve', path: join(dir, 'eve.json') }]);
      writeFileSync(file, 'connector_port=http\n');
      assert.throws(() => loadConnectorConfig(file), (e: unknown) =>
        e instanceof ConfigError && e.message === `${file}:1: connector_port = "http" is not a port (1–65535)`,
      );
      assert.throws(() => loadConnectorConfig(join(dir, 'missing.properties')), (e: unknown) =>
        e instanceof ConfigError && e.message.includes('ENOENT'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
