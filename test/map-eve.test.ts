import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateEvent } from '../src/events/validate.js';
import { mapEve } from '../src/connector/sources/map-eve.js';

// EVE lines as Suricata 7 writes them (fields and order from real eve.json output; values invented).
const LINES = {
  http: `{"timestamp":"2024-03-14T09:26:53.123456+0000","flow_id":1467082347118311,"in_iface":"eth0","event_type":"alert","src_ip":"10.0.0.5","src_port":51234,"dest_ip":"203.0.113.7","dest_port":8080,"proto":"TCP","pkt_src":"wire/pcap","community_id":"1:Ssw3ZJXpy5RlAhWWMfQsDE+TGpI=","tx_id":0,"alert":{"action":"allowed","gid":1,"signature_id":2024897,"rev":3,"signature":"ET USER_AGENTS Go HTTP Client User-Agent","category":"Potentially Bad Traffic","severity":2,"metadata":{"created_at":["2017_09_26"],"updated_at":["2019_09_28"]}},"http":{"hostname":"Example.TEST","http_port":8080,"url":"/api/v1/check?id=7","http_user_agent":"Go-http-client/1.1","http_content_type":"application/json","http_method":"GET","protocol":"HTTP/1.1","status":200,"length":42},"files":[{"filename":"/api/v1/check","gaps":false,"state":"CLOSED","sha256":"9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08","stored":false,"size":42,"tx_id":0}],"app_proto":"http","direction":"to_server","flow":{"pkts_toserver":4,"pkts_toclient":3,"bytes_toserver":380,"bytes_toclient":512,"start":"2024-03-14T09:26:53.100000+0000","src_ip":"10.0.0.5","dest_ip":"203.0.113.7","src_port":51234,"dest_port":8080}}`,
  // Suricata 7 alerts carry dns.query[] (v2); Suricata 8 carries dns.queries[] (v3). Both appear here.
  dns: `{"timestamp":"2024-03-14T09:27:01.000871+0000","flow_id":2029381751203111,"in_iface":"eth0","event_type":"alert","src_ip":"10.0.0.9","src_port":40122,"dest_ip":"192.0.2.53","dest_port":53,"proto":"UDP","pkt_src":"wire/pcap","tx_id":0,"alert":{"action":"allowed","gid":1,"signature_id":2027865,"rev":2,"signature":"ET INFO Observed DNS Query to .top TLD","category":"Potentially Bad Traffic","severity":2},"dns":{"version":3,"type":"request","id":4711,"flags":"100","rd":true,"opcode":0,"rcode":"NOERROR","queries":[{"rrname":"Update-Check.TOP","rrtype":"A"},{"rrname":"update-check.top.","rrtype":"AAAA"}],"query":[{"type":"query","id":4711,"rrname":"cdn.update-check.top","rrtype":"A","tx_id":0,"opcode":0}]},"app_proto":"dns","direction":"to_server","flow":{"pkts_toserver":1,"pkts_toclient":0,"bytes_toserver":78,"bytes_toclient":0,"start":"2024-03-14T09:27:01.000871+0000"}}`,
  tls: `{"timestamp":"2024-03-14T09:28:11.554433+0000","flow_id":883712031221,"in_iface":"eth0","event_type":"alert","src_ip":"10.0.0.7","src_port":50342,"dest_ip":"198.51.100.20","dest_port":443,"proto":"TCP","pkt_src":"wire/pcap","alert":{"action":"allowed","gid":1,"signature_id":2033966,"rev":1,"signature":"ET HUNTING Suspicious TLS SNI (duckdns.org)","category":"Misc activity","severity":3},"tls":{"subject":"CN=evil-c2.duckdns.org","issuerdn":"C=US, O=Let's Encrypt, CN=R3","serial":"04:A1:3C","fingerprint":"a1:b2:c3","sni":"Evil-C2.duckdns.org","version":"TLS 1.2","notbefore":"2024-01-01T00:00:00","notafter":"2024-04-01T00:00:00","ja3":{"hash":"72a589da586844d7f0818ce684948eea","string":"771,49195"}},"app_proto":"tls","direction":"to_server","flow":{"pkts_toserver":5,"pkts_toclient":4,"bytes_toserver":900,"bytes_toclient":4200,"start":"2024-03-14T09:28:11.500000+0000"}}`,
  fileinfo: `{"timestamp":"2024-03-14T09:29:44.500000+0100","flow_id":1201312312,"in_iface":"eth0","event_type":"fileinfo","src_ip":"198.51.100.20","src_port":80,"dest_ip":"10.0.0.5","dest_port":50110,"proto":"TCP","pkt_src":"wire/pcap","http":{"hostname":"downloads.example.test","url":"/invoice-2024-01.docm","http_user_agent":"Mozilla/5.0","http_content_type":"application/vnd.ms-word.document.macroEnabled.12","http_method":"GET","protocol":"HTTP/1.1","status":200,"length":73802},"app_proto":"http","fileinfo":{"filename":"/invoice-2024-01.docm","sid":[],"gaps":false,"state":"CLOSED","md5":"d41d8cd98f00b204e9800998ecf8427e","sha1":"da39a3ee5e6b4b0d3255bfef95601890afd80709","sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","stored":true,"file_id":3,"size":73802,"tx_id":0}}`,
  anomalyDecode: `{"timestamp":"2024-03-14T09:30:00.000100+0000","in_iface":"eth0","event_type":"anomaly","src_ip":"10.0.0.66","src_port":0,"dest_ip":"10.0.0.1","dest_port":0,"proto":"UDP","pkt_src":"wire/pcap","anomaly":{"type":"decode","event":"ipv4.trunc_pkt"}}`,
  anomalyApp: `{"timestamp":"2024-03-14T09:30:01.000100+0000","flow_id":77120,"in_iface":"eth0","event_type":"anomaly","src_ip":"10.0.0.5","src_port":51000,"dest_ip":"203.0.113.7","dest_port":80,"proto":"TCP","pkt_src":"wire/pcap","tx_id":1,"anomaly":{"app_proto":"http","type":"applayer","event":"UNABLE_TO_MATCH_RESPONSE_TO_REQUEST","layer":"proto_parser"}}`,
  drop: `{"timestamp":"2024-03-14T09:31:12.000001+0000","flow_id":99182,"in_iface":"eth0","event_type":"drop","src_ip":"10.0.0.5","src_port":51999,"dest_ip":"203.0.113.66","dest_port":445,"proto":"TCP","pkt_src":"wire/pcap","drop":{"len":60,"tos":0,"ttl":64,"ipid":4211,"tcpseq":12931,"tcpack":0,"tcpwin":64240,"syn":true,"ack":false,"psh":false,"rst":false,"urg":false,"fin":false,"tcpres":0,"tcpurgp":0,"reason":"rules"}}`,
  icmp: `{"timestamp":"2024-03-14T09:32:00.250000+0000","flow_id":441,"in_iface":"eth0","event_type":"alert","src_ip":"10.0.0.8","dest_ip":"192.0.2.1","proto":"ICMP","icmp_type":8,"icmp_code":0,"pkt_src":"wire/pcap","alert":{"action":"allowed","gid":1,"signature_id":2100366,"rev":8,"signature":"GPL ICMP_INFO PING *NIX","category":"Misc activity","severity":3}}`,
  ipv6: `{"timestamp":"2024-03-14T09:33:00.000000+0000","flow_id":552,"in_iface":"eth0","event_type":"alert","src_ip":"2001:0db8:0010:0000:0000:0000:0000:0025","dest_ip":"2001:0db8:0bad:0000:0000:0000:0000:0001","proto":"IPv6-ICMP","icmp_type":128,"icmp_code":0,"pkt_src":"wire/pcap","alert":{"action":"blocked","gid":1,"signature_id":2200098,"rev":2,"signature":"SURICATA ICMPv6 echo request","category":"","severity":3}}`,
  stats: `{"timestamp":"2024-03-14T09:34:00.000000+0000","event_type":"stats","stats":{"uptime":120,"capture":{"kernel_packets":1200,"kernel_drops":0},"decoder":{"pkts":1200,"bytes":900000}}}`,
  flow: `{"timestamp":"2024-03-14T09:34:01.000000+0000","flow_id":77120,"event_type":"flow","src_ip":"10.0.0.5","src_port":51000,"dest_ip":"203.0.113.7","dest_port":80,"proto":"TCP","app_proto":"http","flow":{"pkts_toserver":10,"pkts_toclient":8,"state":"closed","reason":"timeout","alerted":true}}`,
  dnsRecord: `{"timestamp":"2024-03-14T09:34:02.000000+0000","flow_id":9,"event_type":"dns","src_ip":"10.0.0.9","src_port":40122,"dest_ip":"192.0.2.53","dest_port":53,"proto":"UDP","dns":{"type":"query","id":1,"rrname":"example.test","rrtype":"A","tx_id":0,"opcode":0}}`,
};

/** The event as the connector ships it: mapped, then validated (which puts values in inspect's spelling). */
function validated(line: string, id = 'eve:1:2:abcd1234:0'): any {
  const v = validateEvent(mapEve(JSON.parse(line), id));
  assert.ok(v.ok, v.ok ? '' : `validator: ${v.reason}`);
  return v.event;
}

function map(line: string, id = 'eve:1:2:abcd1234:0'): any {
  const ev = mapEve(JSON.parse(line), id);
  assert.ok(ev, 'mapped');
  const v = validateEvent(ev);
  assert.ok(v.ok, v.ok ? '' : `validator: ${v.reason}`);
  return ev;
}

test('HTTP alert: tuple, signature, action, app_proto, domain and URL observables, raw', () => {
  const ev = map(LINES.http, 'eve:2049:131:0a1b2c3d:1024');
  const { raw, ...rest } = ev;
  assert.deepEqual(rest, {
    event_id: 'eve:2049:131:0a1b2c3d:1024',
    type: 'intrusion',
    time: '2024-03-14T09:26:53.123456+0000',
    src_ip: '10.0.0.5',
    src_port: 51234,
    dst_ip: '203.0.113.7',
    dst_port: 8080,
    protocol: 'tcp',
    signature: {
      gid: 1,
      sid: 2024897,
      rev: 3,
      message: 'ET USER_AGENTS Go HTTP Client User-Agent',
      classification: 'Potentially Bad Traffic',
      priority: 2,
    },
    action: 'allowed',
    app_proto: 'http',
    observables: {
      domain: ['example.test'],
      url: ['http://example.test:8080/api/v1/check?id=7'],
      file_name: ['/api/v1/check'],
      sha256: ['9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
    },
  });
  assert.deepEqual(raw, JSON.parse(LINES.http));
});

test('DNS alert: v3 dns.queries and v2 dns.query names, lower-cased, trailing dot gone, de-duplicated', () => {
  const ev = map(LINES.dns);
  assert.equal(ev.protocol, 'udp');
  assert.equal(ev.app_proto, 'dns');
  assert.deepEqual(ev.observables, { domain: ['cdn.update-check.top', 'update-check.top'] });
});

test('TLS alert: SNI is a domain', () => {
  const ev = map(LINES.tls);
  assert.equal(ev.signature.priority, 3);
  assert.deepEqual(ev.observables, { domain: ['evil-c2.duckdns.org'] });
});

test('fileinfo → file event with name, hashes and the HTTP context; no signature, no action', () => {
  const ev = map(LINES.fileinfo);
  assert.equal(ev.type, 'file');
  assert.equal(ev.signature, undefined);
  assert.equal(ev.action, undefined);
  assert.equal(ev.time, '2024-03-14T09:29:44.500000+0100');
  assert.equal(ev.app_proto, 'http');
  assert.deepEqual(ev.observables, {
    domain: ['downloads.example.test'],
    url: ['http://downloads.example.test/invoice-2024-01.docm'],
    file_name: ['/invoice-2024-01.docm'],
    md5: ['d41d8cd98f00b204e9800998ecf8427e'],
    sha1: ['da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    sha256: ['9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
  });
});

test('anomaly → intrusion with the fixed anomaly signature (gid 116, sid 0)', () => {
  const dec = map(LINES.anomalyDecode);
  assert.equal(dec.type, 'intrusion');
  assert.deepEqual(dec.signature, { gid: 116, sid: 0, classification: 'protocol-anomaly', priority: 3, message: 'decode: ipv4.trunc_pkt' });
  assert.equal(dec.src_port, 0);
  const app = map(LINES.anomalyApp);
  assert.equal(app.signature.message, 'applayer: UNABLE_TO_MATCH_RESPONSE_TO_REQUEST');
  assert.equal(app.app_proto, 'http');
});

test('drop → connection event, blocked', () => {
  const ev = map(LINES.drop);
  const { raw: _raw, ...rest } = ev;
  assert.deepEqual(rest, {
    event_id: 'eve:1:2:abcd1234:0',
    type: 'connection',
    time: '2024-03-14T09:31:12.000001+0000',
    src_ip: '10.0.0.5',
    src_port: 51999,
    dst_ip: '203.0.113.66',
    dst_port: 445,
    protocol: 'tcp',
    action: 'blocked',
  });
});

test('ICMP alert: type and code in the port fields', () => {
  const ev = map(LINES.icmp);
  assert.equal(ev.protocol, 'icmp');
  assert.equal(ev.src_port, 8);
  assert.equal(ev.dst_port, 0);
  assert.equal(ev.observables, undefined);
});

test('IPv6 alert: addresses validated into RFC 5952 form, IPv6-ICMP lower-cased, blocked, empty category left out', () => {
  const ev = map(LINES.ipv6);
  // Suricata writes every group in full; what is shipped is the spelling an analyst searches for.
  const v = validateEvent(ev);
  assert.ok(v.ok);
  assert.equal(v.event.src_ip, '2001:db8:10::25');
  assert.equal(v.event.dst_ip, '2001:db8:bad::1');
  assert.equal(ev.raw.src_ip, '2001:0db8:0010:0000:0000:0000:0000:0025', 'raw keeps what the sensor wrote');
  assert.equal(ev.protocol, 'ipv6-icmp');
  assert.equal(ev.src_port, 128);
  assert.equal(ev.action, 'blocked');
  assert.equal('classification' in ev.signature, false);
});

test('record types that are not shipped map to null', () => {
  for (const line of [LINES.stats, LINES.flow, LINES.dnsRecord]) assert.equal(mapEve(JSON.parse(line), 'x'), null);
  assert.equal(mapEve({}, 'x'), null);
});

test('protocol numbers, proxy URLs, users and e-mail addresses', () => {
  const rec = JSON.parse(LINES.http);
  rec.proto = '017';
  rec.http = { hostname: '192.0.2.80', url: 'http://proxied.example.test/x' };
  rec.smb = { ntlmssp: { domain: 'CORP', user: 'bob', host: 'WS1' } };
  rec.email = { from: 'Alice <Alice@Example.test>', to: ['bob@example.test', 'Carol <carol@example.test>'], attachment: ['a.pdf'] };
  rec.files = [];
  const ev = validated(JSON.stringify(rec));
  assert.equal(ev.protocol, 'udp');
  assert.deepEqual(ev.observables, {
    url: ['http://proxied.example.test/x'], // an IP hostname is not a domain
    // The domain lower-cased, the local part as written: the spelling inspect gives.
    email: ['Alice@example.test', 'bob@example.test', 'carol@example.test'],
    file_name: ['a.pdf'],
    user: ['CORP\\bob'],
  });
  rec.proto = '47';
  rec.http = { hostname: 'h.test', url: 'h.test:443', http_method: 'CONNECT' };
  delete rec.smb;
  delete rec.email;
  const gre = map(JSON.stringify(rec));
  assert.equal(gre.protocol, '47');
  assert.deepEqual(gre.observables, { domain: ['h.test'] });
  // An IPv6 host is no domain either, and goes in brackets in the URL.
  rec.http = { hostname: '2001:db8::80', http_port: 8080, url: '/v6' };
  assert.deepEqual(map(JSON.stringify(rec)).observables, { url: ['http://[2001:db8::80]:8080/v6'] });
  // Suricata keeps the brackets of a Host header's IPv6 literal; the address goes in RFC 5952 form.
  rec.http = { hostname: '[2001:DB8:0:0::80]', url: '/v6' };
  assert.deepEqual(validated(JSON.stringify(rec)).observables, { url: ['http://[2001:db8::80]/v6'] });
  // Brackets around a name are no address: it stays a (strange) host name.
  rec.http = { hostname: '[not-an-address]', url: '/x' };
  assert.deepEqual(map(JSON.stringify(rec)).observables.url, ['http://[not-an-address]/x']);
});

test('an alert without signature_id maps, and the validator says why it cannot be shipped', () => {
  const rec = JSON.parse(LINES.icmp);
  delete rec.alert.signature_id;
  const v = validateEvent(mapEve(rec, 'x'));
  assert.equal(v.ok, false);
  assert.match(v.ok ? '' : v.reason, /^signature: missing/);
});
